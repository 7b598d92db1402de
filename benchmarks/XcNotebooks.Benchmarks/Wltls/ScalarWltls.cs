using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;

namespace XcNotebooks.Benchmarks.WltlsBenchmarks;

/// <summary>
/// The baseline of the W-LTLS benchmark: the same algorithm written the straightforward way, single-threaded and
/// scalar, in the shape of the original Python code. Per edge an AROW learner with separate mean and covariance
/// arrays; training goes point by point through every learner; decoding builds edge weights with the dense E x E
/// neighbour matrix and runs Viterbi over predecessor lists; the final model is a D x E matrix multiplied with scalar
/// loops. It uses the library's seeds for shuffles and the assignment, so it learns the same model.
/// </summary>
internal sealed class ScalarWltls
{
    private readonly TrellisGraph _graph;
    private readonly int _edges, _dimension;
    private readonly bool[,] _neighbours;
    private readonly int[][] _codes;      // codeword -> ±1 per edge
    private readonly int[] _classOfCodeword, _codewordOfClass;
    private readonly float[][] _mean, _covariance;
    private readonly int[] _offsets;

    public ScalarWltls(int classes, int dimension, int sliceWidth, int seed)
    {
        _graph = TrellisGraph.Create(classes, sliceWidth);
        _edges = _graph.NumEdges;
        _dimension = dimension;
        _neighbours = new bool[_edges, _edges];
        var n = _graph.LossNeighbours();
        for (int e = 0; e < _edges; e++)
            foreach (int other in n.RowIndices(e)) _neighbours[e, other] = true;
        _offsets = CodewordOffsets(_graph);
        _codes = Enumerable.Range(0, classes).Select(c => _graph.Codeword(c).Select(b => (int)b).ToArray()).ToArray();
        var assignment = PathAssignment.Random(classes, Seeds.Derive(seed, -1));
        _classOfCodeword = assignment.ClassOfCodeword;
        _codewordOfClass = assignment.CodewordOfClass;
        _mean = new float[_edges][];
        _covariance = new float[_edges][];
        for (int e = 0; e < _edges; e++)
        {
            _mean[e] = new float[dimension];
            _covariance[e] = Enumerable.Repeat(1f, dimension).ToArray();
        }
    }

    public int NumEdges => _edges;

    /// <summary>One online epoch in the given order; returns the online train accuracy (percent).</summary>
    public double TrainEpoch(CsrMatrix x, int[] classes, int[] order)
    {
        var margins = new float[_edges];
        int correct = 0;
        foreach (int i in order)
        {
            var idx = x.RowIndices(i);
            var val = x.RowValues(i);
            for (int e = 0; e < _edges; e++)
            {
                float sum = 0;
                for (int j = 0; j < idx.Length; j++) sum += val[j] * _mean[e][idx[j]];
                margins[e] = sum;
            }
            var code = _codes[_codewordOfClass[classes[i]]];
            for (int e = 0; e < _edges; e++)
            {
                int y = code[e];
                double m = y * (double)margins[e];
                if (m > 1) continue;
                float v = 0;
                for (int j = 0; j < idx.Length; j++) v += val[j] * val[j] * _covariance[e][idx[j]];
                double beta = 1.0 / (v + 1.0); // in double, as the library
                float alphaY = (float)(Math.Max(0, 1 - m) * beta * y);
                for (int j = 0; j < idx.Length; j++)
                {
                    float covX = _covariance[e][idx[j]] * val[j];
                    _mean[e][idx[j]] += alphaY * covX;
                    _covariance[e][idx[j]] -= (float)beta * covX * covX;
                }
            }
            if (_classOfCodeword[Decode(margins)] == classes[i]) correct++;
        }
        return 100.0 * correct / order.Length;
    }

    /// <summary>The learners' means as a D x E row-major matrix (the final model).</summary>
    public float[] FinalMatrix()
    {
        var w = new float[(long)_dimension * _edges];
        for (int j = 0; j < _dimension; j++)
            for (int e = 0; e < _edges; e++) w[(long)j * _edges + e] = _mean[e][j];
        return w;
    }

    /// <summary>Accuracy (percent) of the D x E matrix <paramref name="w"/>, point by point.</summary>
    public double Accuracy(float[] w, CsrMatrix x, int[] classes)
    {
        var z = new float[_edges];
        int correct = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            Array.Clear(z);
            var idx = x.RowIndices(i);
            var val = x.RowValues(i);
            for (int j = 0; j < idx.Length; j++)
                for (int e = 0; e < _edges; e++) z[e] += val[j] * w[(long)idx[j] * _edges + e];
            if (_classOfCodeword[Decode(z)] == classes[i]) correct++;
        }
        return 100.0 * correct / x.Rows;
    }

    /// <summary>Exponential-loss decoding: weights through the neighbour matrix, then Viterbi over predecessors.</summary>
    public int Decode(float[] z)
    {
        var positive = new double[_edges];
        var negative = new double[_edges];
        for (int e = 0; e < _edges; e++)
        {
            positive[e] = Math.Exp(-Math.Clamp(z[e], -20, 20));
            negative[e] = Math.Exp(-Math.Clamp(-z[e], -20, 20));
        }
        var weight = new double[_edges];
        for (int e = 0; e < _edges; e++)
        {
            double sum = positive[e];
            for (int other = 0; other < _edges; other++)
                if (_neighbours[e, other]) sum += negative[other];
            weight[e] = -sum;
        }
        var best = new double[_graph.NumVertices];
        var bestCodeword = new int[_graph.NumVertices];
        foreach (int v in _graph.TopologicalOrder)
        {
            if (v == _graph.Source) continue;
            best[v] = double.NegativeInfinity;
            foreach (var edge in _graph.Graph.InEdges(v))
            {
                double candidate = best[edge.Source] + weight[edge.Tag];
                if (candidate > best[v])
                {
                    best[v] = candidate;
                    bestCodeword[v] = bestCodeword[edge.Source] + _offsets[edge.Tag];
                }
            }
        }
        return bestCodeword[_graph.Sink];
    }

    // Codeword number contributed by each edge: the paths through the lower-indexed edges leaving the same vertex.
    private static int[] CodewordOffsets(TrellisGraph graph)
    {
        var paths = new int[graph.NumVertices];
        paths[graph.Sink] = 1;
        foreach (int v in graph.TopologicalOrder.Reverse())
            foreach (var e in graph.Graph.OutEdges(v)) paths[v] += paths[e.Target];
        var offsets = new int[graph.NumEdges];
        foreach (var edge in graph.Edges)
            foreach (var sibling in graph.Graph.OutEdges(edge.From))
                if (sibling.Tag < edge.Index) offsets[edge.Index] += paths[sibling.Target];
        return offsets;
    }
}
