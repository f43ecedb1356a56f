using System;
using System.Numerics.Tensors;

namespace LossDsl.Benchmarks;

/// <summary>
/// Hand-written reference implementations (forward + backward) that the generated kernels are benchmarked against.
/// Every method returns the mean loss and writes d(loss)/d(input) into the gradient span.
/// </summary>
/// <remarks>
/// <para><c>*Scalar</c>: what a careful programmer writes without SIMD: one fused scalar pass per element where possible,
/// <see cref="MathF"/> transcendentals, a <see cref="double"/> accumulator for the sum.</para>
/// <para><c>*TensorPrimitives</c>: the same math composed from whole-array <see cref="TensorPrimitives"/> calls, with the
/// intermediates in temporaries preallocated once in a <see cref="Workspace"/> (no allocation per call). Each call is
/// vectorized, but every intermediate makes a round trip through memory.</para>
/// </remarks>
public static class Baselines
{
    /// <summary>Preallocated temporaries for the <c>*TensorPrimitives</c> baselines; reusable across calls.</summary>
    public sealed class Workspace
    {
        /// <summary>Enough temporaries for the largest composition (focal loss).</summary>
        public const int BufferCount = 7;

        private readonly float[][] _buffers;

        public Workspace(int capacity)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(capacity);
            Capacity = capacity;
            _buffers = new float[BufferCount][];
            for (int i = 0; i < BufferCount; i++)
            {
                _buffers[i] = new float[capacity];
            }
        }

        /// <summary>Number of floats in each temporary.</summary>
        public int Capacity { get; }

        /// <summary>The first <paramref name="length"/> floats of temporary number <paramref name="index"/>.</summary>
        public Span<float> Get(int index, int length)
        {
            if (length > Capacity)
            {
                throw new ArgumentException($"Workspace capacity {Capacity} is smaller than the input length {length}.");
            }

            return _buffers[index].AsSpan(0, length);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // 1. Binary cross-entropy with logits, mean reduction.
    //    loss = mean(max(x,0) - x*y + log1p(exp(-|x|)))
    //    dx   = (sigmoid(x) - y) / n
    // ------------------------------------------------------------------------------------------------------------

    public static float BceScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx)
    {
        int n = CheckBinaryArgs(x, y, dx);
        if (n == 0)
        {
            return float.NaN; // mean of nothing, as in PyTorch
        }

        float invN = 1f / n;
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float xi = x[i];
            float yi = y[i];
            float e = MathF.Exp(-MathF.Abs(xi));   // in (0, 1]: never overflows
            float d = 1f + e;
            float r = 1f / d;
            float p = xi >= 0f ? r : e * r;         // sigmoid(x), stable on both sides
            sum += MathF.Max(xi, 0f) - xi * yi + MathF.Log(d);
            dx[i] = (p - yi) * invN;
        }

        return (float)(sum / n);
    }

    public static float BceTensorPrimitives(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, Workspace ws)
    {
        int n = CheckBinaryArgs(x, y, dx);
        if (n == 0)
        {
            return float.NaN;
        }

        Span<float> softplus = ws.Get(0, n);
        Span<float> terms = ws.Get(1, n);
        Span<float> xy = ws.Get(2, n);

        // log1p(exp(-|x|))
        TensorPrimitives.Abs(x, softplus);
        TensorPrimitives.Negate(softplus, softplus);
        TensorPrimitives.Exp(softplus, softplus);
        TensorPrimitives.LogP1<float>(softplus, softplus);
        // max(x,0) - x*y + log1p(...)
        TensorPrimitives.Max(x, 0f, terms);
        TensorPrimitives.Multiply(x, y, xy);
        TensorPrimitives.Subtract(terms, xy, terms);
        TensorPrimitives.Add(terms, softplus, terms);
        float loss = TensorPrimitives.Sum(terms) / n;

        // dx = (sigmoid(x) - y) / n
        TensorPrimitives.Sigmoid(x, dx);
        TensorPrimitives.Subtract(dx, y, dx);
        TensorPrimitives.Multiply(dx, 1f / n, dx);
        return loss;
    }

    // ------------------------------------------------------------------------------------------------------------
    // 2. Sigmoid focal loss (torchvision.ops.sigmoid_focal_loss, reduction="mean").
    //    p   = sigmoid(x)                        dp/dx   = p(1-p)
    //    ce  = max(x,0) - x*y + log1p(exp(-|x|))  dce/dx  = p - y
    //    p_t = p*y + (1-p)*(1-y)                  dp_t/dx = p(1-p)*y - p(1-p)*(1-y) = p(1-p)(2y-1)
    //    m   = 1 - p_t                            dm/dx   = -p(1-p)(2y-1)
    //    a_t = alpha*y + (1-alpha)*(1-y)          (constant in x)
    //    L   = a_t * ce * m^gamma
    //    dL/dx = a_t * [ (dce/dx) m^gamma + ce * gamma m^(gamma-1) dm/dx ]
    //          = a_t * [ (p - y) m^gamma - gamma * ce * (2y-1) * p(1-p) * m^(gamma-1) ]
    //    loss = mean(L), dx = dL/dx / n.
    //    (Valid for soft targets y in [0,1] too. For gamma < 1 the m^(gamma-1) factor is infinite where m = 0, as in
    //    autograd; the benchmarks use gamma = 2.) Checks for y in {0,1}:
    //      y = 1: m = 1-p, dL/dx = -a_t m^gamma [m + gamma ce p];  y = 0: m = p, dL/dx = a_t m^gamma [m + gamma ce (1-p)].
    // ------------------------------------------------------------------------------------------------------------

    public static float FocalScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha = 0.25f, float gamma = 2f)
    {
        int n = CheckBinaryArgs(x, y, dx);
        if (n == 0)
        {
            return float.NaN;
        }

        float invN = 1f / n;
        float oneMinusAlpha = 1f - alpha;
        float gammaMinus1 = gamma - 1f;
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float xi = x[i];
            float yi = y[i];
            float e = MathF.Exp(-MathF.Abs(xi));
            float d = 1f + e;
            float r = 1f / d;
            float er = e * r;
            bool nonNegative = xi >= 0f;
            float p = nonNegative ? r : er;          // sigmoid(x)
            float q = nonNegative ? er : r;          // 1 - sigmoid(x), without cancellation
            float oneMinusY = 1f - yi;
            float ce = MathF.Max(xi, 0f) - xi * yi + MathF.Log(d);
            float m = p * oneMinusY + q * yi;        // 1 - p_t
            float at = alpha * yi + oneMinusAlpha * oneMinusY;
            float mPowGm1 = MathF.Pow(m, gammaMinus1);
            float mPowG = mPowGm1 * m;
            sum += at * ce * mPowG;
            float pMinusY = p * oneMinusY - q * yi;  // p - y, without cancellation
            float g = pMinusY * mPowG - gamma * ce * (yi + yi - 1f) * p * q * mPowGm1;
            dx[i] = at * g * invN;
        }

        return (float)(sum / n);
    }

    public static float FocalTensorPrimitives(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, Workspace ws, float alpha = 0.25f, float gamma = 2f)
    {
        int n = CheckBinaryArgs(x, y, dx);
        if (n == 0)
        {
            return float.NaN;
        }

        Span<float> p = ws.Get(0, n);
        Span<float> q = ws.Get(1, n);      // 1 - p
        Span<float> ce = ws.Get(2, n);
        Span<float> m = ws.Get(3, n);      // 1 - p_t, later m^gamma
        Span<float> oneMinusY = ws.Get(4, n);
        Span<float> at = ws.Get(5, n);
        Span<float> t = ws.Get(6, n);      // scratch; later m^(gamma-1)
        Span<float> mPowG = m;

        TensorPrimitives.Sigmoid(x, p);
        TensorPrimitives.Subtract(1f, p, q);
        TensorPrimitives.Subtract(1f, y, oneMinusY);

        // ce = max(x,0) - x*y + log1p(exp(-|x|))
        TensorPrimitives.Abs(x, t);
        TensorPrimitives.Negate(t, t);
        TensorPrimitives.Exp(t, t);
        TensorPrimitives.LogP1<float>(t, t);
        TensorPrimitives.Max(x, 0f, ce);
        TensorPrimitives.Add(ce, t, ce);
        TensorPrimitives.Multiply(x, y, t);
        TensorPrimitives.Subtract(ce, t, ce);

        // m = 1 - (p*y + (1-p)*(1-y))
        TensorPrimitives.Multiply(p, y, t);
        TensorPrimitives.Multiply(q, oneMinusY, m);
        TensorPrimitives.Add(m, t, m);
        TensorPrimitives.Subtract(1f, m, m);

        // a_t = alpha*y + (1-alpha)*(1-y)
        TensorPrimitives.Multiply(y, alpha, at);
        TensorPrimitives.MultiplyAdd(oneMinusY, 1f - alpha, at, at);

        // m^(gamma-1), m^gamma
        Span<float> mPowGm1 = t;
        TensorPrimitives.Pow(m, gamma - 1f, mPowGm1);
        TensorPrimitives.Multiply(mPowGm1, m, mPowG);

        // loss = mean(a_t * ce * m^gamma)   (oneMinusY is free from here on)
        Span<float> terms = oneMinusY;
        TensorPrimitives.Multiply(at, ce, terms);
        TensorPrimitives.Multiply(terms, mPowG, terms);
        float loss = TensorPrimitives.Sum(terms) / n;

        // dx = a_t * [(p - y) m^gamma - gamma * ce * (2y - 1) * p * (1-p) * m^(gamma-1)] / n
        Span<float> second = terms;
        TensorPrimitives.Multiply(y, 2f, second);
        TensorPrimitives.Subtract(second, 1f, second);
        TensorPrimitives.Multiply(second, ce, second);
        TensorPrimitives.Multiply(second, p, second);
        TensorPrimitives.Multiply(second, q, second);
        TensorPrimitives.Multiply(second, mPowGm1, second);
        TensorPrimitives.Multiply(second, gamma, second);
        TensorPrimitives.Subtract(p, y, dx);
        TensorPrimitives.Multiply(dx, mPowG, dx);
        TensorPrimitives.Subtract(dx, second, dx);
        TensorPrimitives.Multiply(dx, at, dx);
        TensorPrimitives.Multiply(dx, 1f / n, dx);
        return loss;
    }

    // ------------------------------------------------------------------------------------------------------------
    // 3. Softmax cross-entropy with integer labels, mean over rows. logits: [rows, C] row-major, C = logits.Length / rows.
    //    loss  = mean_i(logsumexp_c z[i,c] - z[i,y_i])
    //    dz[i,c] = (softmax(z_i)_c - [c == y_i]) / rows
    // ------------------------------------------------------------------------------------------------------------

    public static float CrossEntropyScalar(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dlogits)
    {
        int classes = CheckCrossEntropyArgs(logits, labels, dlogits);
        int rows = labels.Length;
        if (rows == 0)
        {
            return float.NaN;
        }

        float invRows = 1f / rows;
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> z = logits.Slice(i * classes, classes);
            Span<float> dz = dlogits.Slice(i * classes, classes);
            int label = labels[i];

            float max = float.NegativeInfinity;
            for (int c = 0; c < z.Length; c++)
            {
                max = MathF.Max(max, z[c]);
            }

            double s = 0; // a float sum of 32768 exponentials drifts by about 1e-5 relative
            for (int c = 0; c < z.Length; c++)
            {
                float e = MathF.Exp(z[c] - max);
                dz[c] = e;
                s += e;
            }

            float scale = (float)(invRows / s);
            for (int c = 0; c < dz.Length; c++)
            {
                dz[c] *= scale;
            }

            dz[label] -= invRows;
            sum += Math.Log(s) + max - z[label];
        }

        return (float)(sum / rows);
    }

    /// <remarks>Needs no temporaries: each row's exponentials are built in place in <paramref name="dlogits"/>.</remarks>
    public static float CrossEntropyTensorPrimitives(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dlogits)
    {
        int classes = CheckCrossEntropyArgs(logits, labels, dlogits);
        int rows = labels.Length;
        if (rows == 0)
        {
            return float.NaN;
        }

        float invRows = 1f / rows;
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> z = logits.Slice(i * classes, classes);
            Span<float> dz = dlogits.Slice(i * classes, classes);
            int label = labels[i];

            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, dz);
            TensorPrimitives.Exp(dz, dz);
            float s = TensorPrimitives.Sum(dz);
            TensorPrimitives.Divide(dz, s * rows, dz);
            dz[label] -= invRows;
            sum += Math.Log(s) + max - z[label];
        }

        return (float)(sum / rows);
    }

    /// <summary>Overload matching the other TensorPrimitives baselines; the workspace is not needed.</summary>
    public static float CrossEntropyTensorPrimitives(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dlogits, Workspace ws)
    {
        _ = ws;
        return CrossEntropyTensorPrimitives(logits, labels, dlogits);
    }

    private static int CheckBinaryArgs(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx)
    {
        if (y.Length != x.Length)
        {
            throw new ArgumentException($"Target length {y.Length} differs from input length {x.Length}.", nameof(y));
        }

        if (dx.Length != x.Length)
        {
            throw new ArgumentException($"Gradient length {dx.Length} differs from input length {x.Length}.", nameof(dx));
        }

        return x.Length;
    }

    private static int CheckCrossEntropyArgs(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dlogits)
    {
        if (dlogits.Length != logits.Length)
        {
            throw new ArgumentException($"Gradient length {dlogits.Length} differs from logits length {logits.Length}.", nameof(dlogits));
        }

        if (labels.Length == 0)
        {
            if (logits.Length != 0)
            {
                throw new ArgumentException("No labels for a non-empty logits array.", nameof(labels));
            }

            return 0;
        }

        if (logits.Length % labels.Length != 0)
        {
            throw new ArgumentException($"Logits length {logits.Length} is not a multiple of the row count {labels.Length}.", nameof(logits));
        }

        int classes = logits.Length / labels.Length;
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} in row {i} is outside [0, {classes}).");
            }
        }

        return classes;
    }
}
