using XcNotebooks.Core;

namespace XcNotebooks.Experiments;

/// <summary>
/// What a rank other than 0 holds after label-sharded training, where rank 0 alone holds the merged model: nothing
/// to predict with. It lets every rank run the same pipeline in step (MPI's model) while only rank 0's figures mean
/// anything: its predictions are empty (label -1), its size 0, and saving it writes nothing.
/// </summary>
internal sealed class OtherRankModel(string method, int rank) : IXcModel
{
    public string Method => method;

    public long SizeBytes => 0;

    public TopKPredictions TopK(Dataset data, int k)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labels = new int[(long)data.NumPoints * k];
        Array.Fill(labels, -1);
        return new TopKPredictions(data.NumPoints, k, labels, new float[labels.Length]);
    }

    public void Save(string path) =>
        throw new InvalidOperationException($"rank {rank} holds no model of its own ({method} is merged on rank 0, which saves it)");

    public void Dispose() { }
}
