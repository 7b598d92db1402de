using ILGPU;
using ILGPU.Algorithms;

namespace XcNotebooks.Compute.Kernels;

/// <summary>Parameters of a row-wise launch: row width, epsilon, a variant flag and a scale.</summary>
internal struct RowArgs
{
    public int Cols, Flag;
    public float Epsilon, Scale;
}

/// <summary>Tree reductions over one thread group (power-of-two size) through shared memory: a fixed order.</summary>
internal static class GroupReduce
{
    public const int MaxGroupSize = 256;

    public static float Sum(ArrayView<float> shared, float value)
    {
        int tid = Group.IdxX;
        shared[tid] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (tid < s) shared[tid] += shared[tid + s];
            Group.Barrier();
        }
        float result = shared[0];
        Group.Barrier();
        return result;
    }

    public static float Max(ArrayView<float> shared, float value)
    {
        int tid = Group.IdxX;
        shared[tid] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (tid < s) shared[tid] = XMath.Max(shared[tid], shared[tid + s]);
            Group.Barrier();
        }
        float result = shared[0];
        Group.Barrier();
        return result;
    }
}

/// <summary>
/// Row-wise kernels: one thread group per row (grid = rows), threads striding over the row's columns and
/// combining through <see cref="GroupReduce"/>.
/// </summary>
internal static class RowKernels
{
    public const int SoftmaxFlag = 0, LogSoftmaxFlag = 1;
    public const int BinaryCrossEntropyFlag = 0, SquaredErrorFlag = 1, SoftmaxCrossEntropyFlag = 2;

    /// <summary>The maximum of a row, combined over the group.</summary>
    private static float RowMax(ArrayView<float> shared, ArrayView<float> x, int start, int cols)
    {
        float max = float.NegativeInfinity;
        for (int j = Group.IdxX; j < cols; j += Group.DimX) max = XMath.Max(max, x[start + j]);
        return GroupReduce.Max(shared, max);
    }

    /// <summary>Σ exp(x − max) over a row, combined over the group.</summary>
    private static float RowSumExp(ArrayView<float> shared, ArrayView<float> x, int start, int cols, float max)
    {
        float sum = 0f;
        for (int j = Group.IdxX; j < cols; j += Group.DimX) sum += XMath.Exp(x[start + j] - max);
        return GroupReduce.Sum(shared, sum);
    }

    public static void Softmax(ArrayView<float> input, ArrayView<float> output, RowArgs a)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        int start = Grid.IdxX * a.Cols, tid = Group.IdxX, stride = Group.DimX;
        float max = RowMax(shared, input, start, a.Cols);
        float sum = RowSumExp(shared, input, start, a.Cols, max);
        float logSum = max + XMath.Log(sum), inverse = 1f / sum;
        for (int j = tid; j < a.Cols; j += stride)
        {
            output[start + j] = a.Flag == LogSoftmaxFlag
                ? input[start + j] - logSum
                : XMath.Exp(input[start + j] - max) * inverse;
        }
    }

    public static void SoftmaxBackward(ArrayView<float> output, ArrayView<float> gradOutput, ArrayView<float> gradInput, RowArgs a)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        int start = Grid.IdxX * a.Cols, tid = Group.IdxX, stride = Group.DimX;
        float partial = 0f;
        for (int j = tid; j < a.Cols; j += stride)
            partial += a.Flag == LogSoftmaxFlag ? gradOutput[start + j] : gradOutput[start + j] * output[start + j];
        float total = GroupReduce.Sum(shared, partial);
        for (int j = tid; j < a.Cols; j += stride)
        {
            float y = output[start + j], g = gradOutput[start + j];
            gradInput[start + j] = a.Flag == LogSoftmaxFlag ? g - XMath.Exp(y) * total : y * (g - total);
        }
    }

    public static void LayerNorm(ArrayView<float> input, ArrayView<float> gain, ArrayView<float> bias, ArrayView<float> output,
        ArrayView<float> statistics, RowArgs a)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        int row = Grid.IdxX, start = row * a.Cols, tid = Group.IdxX, stride = Group.DimX;
        float partial = 0f;
        for (int j = tid; j < a.Cols; j += stride) partial += input[start + j];
        float mean = GroupReduce.Sum(shared, partial) / a.Cols;
        partial = 0f;
        for (int j = tid; j < a.Cols; j += stride)
        {
            float d = input[start + j] - mean;
            partial += d * d;
        }
        float inverseStd = 1f / XMath.Sqrt(GroupReduce.Sum(shared, partial) / a.Cols + a.Epsilon);
        for (int j = tid; j < a.Cols; j += stride)
            output[start + j] = (input[start + j] - mean) * inverseStd * gain[j] + bias[j];
        if (tid == 0)
        {
            statistics[2 * row] = mean;
            statistics[2 * row + 1] = inverseStd;
        }
    }

    public static void LayerNormBackward(ArrayView<float> input, ArrayView<float> gain, ArrayView<float> statistics,
        ArrayView<float> gradOutput, ArrayView<float> gradInput, RowArgs a)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        int row = Grid.IdxX, start = row * a.Cols, tid = Group.IdxX, stride = Group.DimX;
        float mean = statistics[2 * row], inverseStd = statistics[2 * row + 1];
        float sum = 0f, sumXhat = 0f;
        for (int j = tid; j < a.Cols; j += stride)
        {
            float dxhat = gradOutput[start + j] * gain[j];
            sum += dxhat;
            sumXhat += dxhat * (input[start + j] - mean) * inverseStd;
        }
        float meanDxhat = GroupReduce.Sum(shared, sum) / a.Cols;
        float meanDxhatXhat = GroupReduce.Sum(shared, sumXhat) / a.Cols;
        for (int j = tid; j < a.Cols; j += stride)
        {
            float xhat = (input[start + j] - mean) * inverseStd;
            gradInput[start + j] = inverseStd * (gradOutput[start + j] * gain[j] - meanDxhat - xhat * meanDxhatXhat);
        }
    }

    /// <summary>One thread per column accumulates the gain and bias gradients over the rows in order.</summary>
    public static void LayerNormParameterGradients(Index1D j, ArrayView<float> input, ArrayView<float> statistics,
        ArrayView<float> gradOutput, ArrayView<float> gradGain, ArrayView<float> gradBias, int rows)
    {
        int cols = (int)gradGain.Length;
        float dg = 0f, db = 0f;
        for (int i = 0; i < rows; i++)
        {
            float g = gradOutput[i * cols + j];
            dg += g * (input[i * cols + j] - statistics[2 * i]) * statistics[2 * i + 1];
            db += g;
        }
        gradGain[j] += dg;
        gradBias[j] += db;
    }

    public static void L2Normalize(ArrayView<float> input, ArrayView<float> output, ArrayView<float> norms, RowArgs a)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        int row = Grid.IdxX, start = row * a.Cols, tid = Group.IdxX, stride = Group.DimX;
        float partial = 0f;
        for (int j = tid; j < a.Cols; j += stride) partial += input[start + j] * input[start + j];
        float norm = XMath.Max(XMath.Sqrt(GroupReduce.Sum(shared, partial)), a.Epsilon);
        for (int j = tid; j < a.Cols; j += stride) output[start + j] = input[start + j] / norm;
        if (tid == 0) norms[row] = norm;
    }

    public static void L2NormalizeBackward(ArrayView<float> output, ArrayView<float> norms, ArrayView<float> gradOutput,
        ArrayView<float> gradInput, RowArgs a)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        int row = Grid.IdxX, start = row * a.Cols, tid = Group.IdxX, stride = Group.DimX;
        float partial = 0f;
        for (int j = tid; j < a.Cols; j += stride) partial += output[start + j] * gradOutput[start + j];
        float dot = GroupReduce.Sum(shared, partial), inverseNorm = 1f / norms[row];
        for (int j = tid; j < a.Cols; j += stride)
            gradInput[start + j] = (gradOutput[start + j] - output[start + j] * dot) * inverseNorm;
    }

    /// <summary>A fused loss per row: writes the gradient and the row's loss (Flag picks the loss).</summary>
    public static void Loss(ArrayView<float> prediction, ArrayView<float> targets, ArrayView<int> classes, ArrayView<float> gradient,
        ArrayView<float> rowLoss, RowArgs a)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        int row = Grid.IdxX, start = row * a.Cols, tid = Group.IdxX, stride = Group.DimX;
        float loss;
        if (a.Flag == SoftmaxCrossEntropyFlag)
        {
            float max = RowMax(shared, prediction, start, a.Cols);
            float sum = RowSumExp(shared, prediction, start, a.Cols, max);
            int target = classes[row];
            for (int j = tid; j < a.Cols; j += stride)
                gradient[start + j] = (XMath.Exp(prediction[start + j] - max) / sum - (j == target ? 1f : 0f)) * a.Scale;
            loss = max + XMath.Log(sum) - (target >= 0 && target < a.Cols ? prediction[start + target] : 0f);
        }
        else
        {
            float partial = 0f;
            for (int j = tid; j < a.Cols; j += stride)
            {
                float z = prediction[start + j], t = targets[start + j];
                if (a.Flag == BinaryCrossEntropyFlag)
                {
                    partial += LossMath.BinaryCrossEntropy(z, t);
                    gradient[start + j] = (ActivationMath.Sigmoid(z) - t) * a.Scale;
                }
                else
                {
                    float d = z - t;
                    partial += d * d;
                    gradient[start + j] = 2f * d * a.Scale;
                }
            }
            loss = GroupReduce.Sum(shared, partial);
        }
        if (tid == 0) rowLoss[row] = loss;
    }

    /// <summary>Sum of squares of consecutive chunks of Cols values (the last one ragged, Flag = total length).</summary>
    public static void ChunkSumOfSquares(ArrayView<float> input, ArrayView<float> partials, RowArgs a)
    {
        var shared = SharedMemory.Allocate<float>(GroupReduce.MaxGroupSize);
        int start = Grid.IdxX * a.Cols, tid = Group.IdxX, stride = Group.DimX;
        int end = XMath.Min(start + a.Cols, a.Flag);
        float partial = 0f;
        for (int j = start + tid; j < end; j += stride) partial += input[j] * input[j];
        float total = GroupReduce.Sum(shared, partial);
        if (tid == 0) partials[Grid.IdxX] = total;
    }

    /// <summary>Top-k of one row by insertion, one thread per row: the rules of Metrics.TopKSelector.</summary>
    public static void TopK(Index1D row, ArrayView<float> scores, ArrayView<float> values, ArrayView<int> indices, int cols, int k)
    {
        int vb = row * k, sb = row * cols;
        for (int q = 0; q < k; q++)
        {
            values[vb + q] = float.NegativeInfinity;
            indices[vb + q] = -1;
        }
        for (int j = 0; j < cols; j++)
        {
            float v = scores[sb + j];
            if (XMath.IsNaN(v)) continue;
            if (indices[vb + k - 1] >= 0 && !(v > values[vb + k - 1])) continue;
            int pos = k - 1;
            while (pos > 0 && (indices[vb + pos - 1] < 0 || v > values[vb + pos - 1]))
            {
                values[vb + pos] = values[vb + pos - 1];
                indices[vb + pos] = indices[vb + pos - 1];
                pos--;
            }
            values[vb + pos] = v;
            indices[vb + pos] = j;
        }
    }
}
