namespace XcNotebooks.Core;

/// <summary>One named stream of a run's seeds: the seed of a single stochastic step (an initialisation, a split).</summary>
public sealed record SeedStream(string Name, long Id)
{
    /// <summary>This stream's seed in the run seeded with <paramref name="seed"/>.</summary>
    public int Of(int seed) => Seeds.Derive(seed, Id);
}

/// <summary>
/// A named family of streams, one per index (an epoch, a label, a tree node, a layer): index i is stream
/// <see cref="First"/> + i × <see cref="Step"/>. Families of one table interleave (steps of 2, 4) or run in opposite
/// directions (negative steps), so no two of them share a stream id.
/// </summary>
public sealed record IndexedSeedStream(string Name, long First, long Step = 1)
{
    /// <summary>The seed of item <paramref name="index"/> in the run seeded with <paramref name="seed"/>.</summary>
    public int Of(int seed, long index) => Seeds.Derive(seed, First + Step * index);
}

/// <summary>
/// A named family of streams indexed by two numbers (an epoch and a batch, a level and a cluster): the pair is packed
/// as outer × 2^32 + inner. With a <see cref="Root"/> the pairs are streams of the root's seed, so they cannot meet
/// the table's single streams (an epoch-0 batch once had the encoder's seed).
/// </summary>
public sealed record GridSeedStream(string Name, SeedStream? Root = null)
{
    /// <summary>The seed of (<paramref name="outer"/>, <paramref name="inner"/>) in the run seeded with <paramref name="seed"/>.</summary>
    public int Of(int seed, int outer, int inner) =>
        Seeds.Derive(Root is null ? seed : Root.Of(seed), ((long)outer << 32) | (uint)inner);
}

/// <summary>
/// Every seed stream of the kit, one table (nested class) per method or component that derives seeds from the seed
/// it is given. A table lists the streams of one seed: where a step hands its seed on unchanged (DEXA's text
/// encoder), the receiver's streams appear in the giver's table too. Stream ids keep the numbers each method used
/// before the tables existed, so results are unchanged except where two streams met (noted on the table).
/// </summary>
public static class SeedStreams
{
    /// <summary>Shared by DEXA and DEXML: the text encoder's seed.</summary>
    public static class TwoTower
    {
        public static readonly SeedStream Encoder = new("text encoder", 1);
    }

    /// <summary>DEXA. The batch draws were streams (epoch × 2^32 + batch) of the run seed, so epoch 0's batches 1, 3..7
    /// had the encoder's, auxiliary vectors', NGAME batchings', dropout's and fusion's seeds: now streams of their own root.</summary>
    public static class Dexa
    {
        public static readonly SeedStream Encoder = TwoTower.Encoder;
        public static readonly SeedStream AuxiliaryVectors = new("auxiliary vectors", 3);
        public static readonly SeedStream EncoderBatching = new("M1 NGAME batching", 4);
        public static readonly SeedStream ClassifierBatching = new("M-IV NGAME batching", 5);
        public static readonly SeedStream DocumentDropout = new("M-IV document dropout", 6);
        public static readonly SeedStream Fusion = new("score fusion", 7);
        public static readonly SeedStream BatchDrawsRoot = new("M1 positive draws", 8);
        public static readonly GridSeedStream BatchDraws = new("M1 positive draws per epoch and batch", BatchDrawsRoot);
    }

    /// <summary>DEXML. Its batch draws met the encoder's seed at epoch 0, batch 1: now streams of their own root.</summary>
    public static class Dexml
    {
        public static readonly SeedStream Encoder = TwoTower.Encoder;
        public static readonly SeedStream BatchDrawsRoot = new("label pool draws", 2);
        public static readonly GridSeedStream BatchDraws = new("label pool draws per epoch and batch", BatchDrawsRoot);
        public static readonly IndexedSeedStream EpochOrder = new("epoch order", -1, -1);
    }

    /// <summary>NGAME's batching (DEXA), from the seed it is given.</summary>
    public static class NgameBatching
    {
        public static readonly IndexedSeedStream EpochOrder = new("cluster order per epoch", 0);
        public static readonly IndexedSeedStream Clustering = new("balanced clustering per refresh", 1_000_000);
    }

    /// <summary>DEXA's balanced 2-means clustering, from the seed it is given.</summary>
    public static class BalancedClustering
    {
        public static readonly GridSeedStream Split = new("split per level and cluster");
    }

    /// <summary>DEXA's auxiliary vectors, from the seed they are given.</summary>
    public static class AuxiliaryVectors
    {
        public static readonly SeedStream Table = new("vector table", 1);
    }

    /// <summary>W-LTLS.</summary>
    public static class Wltls
    {
        public static readonly SeedStream RandomAssignment = new("random path assignment", -1);
        public static readonly SeedStream AssignmentQuality = new("assignment quality's random baselines", -2);
        public static readonly IndexedSeedStream EpochOrder = new("point order per epoch", 0);
    }

    /// <summary>W-LTLS's assignment score (eq. 5), from the seed it is given.</summary>
    public static class AssignmentScore
    {
        public static readonly IndexedSeedStream RandomAssignment = new("random assignment per trial", 0);
    }

    /// <summary>DSNC.</summary>
    public static class Dsnc
    {
        public static readonly SeedStream InputLayer = new("encoder input layer", 1);
        public static readonly SeedStream EncoderHidden = new("encoder hidden layers", 2);
        public static readonly SeedStream Decoder = new("decoder", 3);
        public static readonly SeedStream CodeLayer = new("stochastic binary code layer", 4);
        public static readonly SeedStream Batches = new("mini-batches", 5);
        public static readonly SeedStream Negatives = new("sampled-softmax negative classes", 6);
    }

    /// <summary>NeuralXC. The network takes the run seed; its mini-batches had stream 1, the input decoder's, so an
    /// epoch's order once had the seed of the input decoder's first layer: now stream 5.</summary>
    public static class NeuralXc
    {
        public static readonly SeedStream InputEncoder = new("input encoder", 0);
        public static readonly SeedStream InputDecoder = new("input decoder", 1);
        public static readonly SeedStream LabelEncoder = new("label encoder", 2);
        public static readonly SeedStream LabelDecoder = new("label decoder", 3);
        public static readonly SeedStream Regressor = new("regressor", 4);
        public static readonly SeedStream Batches = new("mini-batches", 5);
        public static readonly IndexedSeedStream SampledColumns = new("sampled output columns per epoch", 1_000_000);
    }

    /// <summary>The hierarchical method (autoencoder + per-node classifiers).</summary>
    public static class HierarchicalXc
    {
        public static readonly SeedStream Autoencoder = new("linear autoencoder", 0);
        public static readonly IndexedSeedStream NodeClassifier = new("classifier per tree node", 1);
    }

    /// <summary>The hierarchical method's linear autoencoder, from the seed it is given.</summary>
    public static class LinearAutoencoder
    {
        public static readonly SeedStream Encoder = new("encoder", 0);
        public static readonly SeedStream Decoder = new("decoder", 1);
        public static readonly SeedStream Batches = new("mini-batches", 2);
    }

    /// <summary>The WordNet data set builder.</summary>
    public static class WordNet
    {
        public static readonly SeedStream LabelSample = new("sample of classes", 1);
        public static readonly SeedStream PointSample = new("sample of points", 2);
    }

    /// <summary>The Parabel-style label tree.</summary>
    public static class Parabel
    {
        public static readonly SeedStream Tree = new("label tree", -1);
        public static readonly IndexedSeedStream NodeLearners = new("learners per tree node", 0);
        /// <summary>Tree i &gt; 0 of an ensemble is the tree of this seed (tree 0 is the run's seed's own).</summary>
        public static readonly IndexedSeedStream EnsembleTree = new("ensemble tree", -2, -1);
    }

    /// <summary>The Parabel-style tree's balanced splits, from the seed it is given.</summary>
    public static class LabelTree
    {
        public static readonly IndexedSeedStream Split = new("balanced split per node", 0);
    }

    /// <summary>The calibrated fusion of one-vs-rest and k-nearest neighbours.</summary>
    public static class CalibratedFusion
    {
        public static readonly SeedStream Folds = new("cross-validation folds", -1);
        public static readonly SeedStream OneVsRest = new("one-vs-rest learners", 1);
    }

    /// <summary>Online linear learners (AROW, perceptron), from the seed they are given.</summary>
    public static class OnlineLearners
    {
        public static readonly IndexedSeedStream EpochOrder = new("point order per epoch", 0);
    }

    /// <summary>Dual coordinate descent (the batch L2-SVM / logistic learners), from the seed it is given.</summary>
    public static class DualCoordinateDescent
    {
        public static readonly IndexedSeedStream LabelOrder = new("coordinate order per label", 0);
    }

    /// <summary>Mini-batches, from the seed they are given.</summary>
    public static class MiniBatches
    {
        public static readonly IndexedSeedStream EpochOrder = new("order per epoch", 0);
    }

    /// <summary>A dense or sparse-input layer's weights and bias, from the seed it is given.</summary>
    public static class Layer
    {
        public static readonly SeedStream Weights = new("weights", 0);
        public static readonly SeedStream Bias = new("bias", 1);
    }

    /// <summary>A multi-layer perceptron, from the seed it is given: layer l's weights and dropout interleave.</summary>
    public static class Mlp
    {
        public static readonly IndexedSeedStream Linear = new("linear layer", 0, 2);
        public static readonly IndexedSeedStream Dropout = new("dropout after layer", 1, 2);
    }

    /// <summary>An MLP with a sparse first layer, from the seed it is given.</summary>
    public static class SparseInputMlp
    {
        public static readonly SeedStream First = new("sparse first layer", 0);
        public static readonly SeedStream Dropout = new("dropout", 1);
        public static readonly SeedStream Tail = new("dense tail", 2);
    }

    /// <summary>The bag-of-embeddings text encoder, from the seed it is given: block b's two layers interleave.</summary>
    public static class BagOfEmbeddings
    {
        public static readonly SeedStream Table = new("token embeddings", 0);
        public static readonly IndexedSeedStream BlockIn = new("residual block input layer", 10, 2);
        public static readonly IndexedSeedStream BlockOut = new("residual block output layer", 11, 2);
    }

    /// <summary>The transformer text encoder, from the seed it is given: layer l's four affine maps interleave.</summary>
    public static class Transformer
    {
        public static readonly SeedStream Tokens = new("token embeddings", 0);
        public static readonly SeedStream Positions = new("position embeddings", 1);
        public static readonly IndexedSeedStream AttentionQkv = new("attention query/key/value", 10, 4);
        public static readonly IndexedSeedStream AttentionOut = new("attention output", 11, 4);
        public static readonly IndexedSeedStream FeedForwardUp = new("feed-forward up", 12, 4);
        public static readonly IndexedSeedStream FeedForwardDown = new("feed-forward down", 13, 4);
    }

    /// <summary>A sparse embedding table, from the seed it is given.</summary>
    public static class Embedding
    {
        public static readonly SeedStream Table = new("table", 0);
    }
}
