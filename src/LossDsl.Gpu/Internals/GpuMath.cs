using System.ComponentModel;
using ILGPU;
using ILGPU.Algorithms;

namespace LossDsl.Gpu.Internals;

/// <summary>
/// The float functions generated GPU kernels call, with the special-value rules of the CPU kernels' functions
/// (<c>LossDsl.Simd.Scalar</c>): the stable forms of sigmoid and softplus, an accurate log1p and expm1 near 0, powers
/// that keep the sign of a negative base for an odd integral exponent, and erf from the same polynomials. The
/// elementary functions are ILGPU's (<see cref="XMath"/>): on CUDA they are the hardware approximations
/// (<c>ex2.approx</c>, <c>lg2.approx</c>: a few ulp), on the CPU accelerator .NET's MathF. Infrastructure for generated
/// code; not a public API; may change without notice.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GpuMath
{
    /// <summary>e^x.</summary>
    public static float Exp(float x) => XMath.Exp(x);

    /// <summary>Natural logarithm: -inf at 0, NaN below.</summary>
    public static float Log(float x) => XMath.Log(x);

    /// <summary>log(1 + x), accurate near 0 (the rounding of 1 + x is corrected: log(u) * x / (u - 1)).</summary>
    public static float Log1p(float x)
    {
        float u = 1f + x;
        if (u == 1f) return x;
        if (u == float.PositiveInfinity || u <= 0f) return XMath.Log(u);
        return XMath.Log(u) * (x / (u - 1f));
    }

    /// <summary>e^x - 1, accurate near 0 ((u - 1) * x / log(u) with u = e^x).</summary>
    public static float Expm1(float x)
    {
        if (XMath.Abs(x) < 1e-5f) return x + 0.5f * x * x;
        float u = XMath.Exp(x);
        if (u == float.PositiveInfinity) return u;
        float um1 = u - 1f;
        if (um1 == -1f) return -1f;
        return um1 * (x / XMath.Log(u));
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static float Tanh(float x) => XMath.Tanh(x);

    /// <summary>Arc tangent.</summary>
    public static float Atan(float x) => XMath.Atan(x);

    /// <summary>1 / (1 + e^-x) as (x &gt;= 0 ? 1 : e) / (1 + e) with e = e^-|x|: no overflow.</summary>
    public static float Sigmoid(float x)
    {
        float e = XMath.Exp(-XMath.Abs(x));
        return (x >= 0f ? 1f : e) / (1f + e);
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^-|x|).</summary>
    public static float Softplus(float x) => XMath.Max(x, 0f) + Log1p(XMath.Exp(-XMath.Abs(x)));

    /// <summary>erf: x + x R(x^2) for |x| &lt; 0.921875, else sign(x) (1 - exp(G(|x|))) (the CPU kernels' polynomials).</summary>
    public static float Erf(float x)
    {
        float s = x * x;
        float p = -0.0005990853533148766f * s + 0.004993180278688669f;
        p = p * s - 0.026766616851091385f;
        p = p * s + 0.1128181591629982f;
        p = p * s - 0.37612494826316833f;
        p = p * s + 0.12837915122509003f;
        float a = XMath.Abs(x);
        float result;
        if (a < 0.921875f)
        {
            result = a * p + a;
        }
        else
        {
            float c = XMath.Min(a, 3.95f);
            float g = 0.00019473358406685293f * c - 0.0030315921176224947f;
            g = g * c + 0.02218136563897133f;
            g = g * c - 0.10383884608745575f;
            g = g * c - 0.6372858285903931f;
            g = g * c - 1.1276154518127441f;
            g = g * c - 0.00020992301870137453f;
            result = 1f - XMath.Exp(g);
        }
        return x < 0f ? -result : result;
    }

    /// <summary>sin x, as the CPU kernels compute it: reduced by pi/2 in double, a polynomial on [-pi/4, pi/4];
    /// beyond 2^21 the double library function (ILGPU's <see cref="XMath.Sin(double)"/>).</summary>
    public static float Sin(float x) => SinCos(x, 0);

    /// <summary>cos x: <see cref="Sin"/> a quarter period on.</summary>
    public static float Cos(float x) => SinCos(x, 1);

    private static float SinCos(float x, int quarter)
    {
        float ax = XMath.Abs(x);
        if (x == 0f) return quarter == 1 ? 1f : x;   // sin(-0) = -0
        if (!(ax <= 2097152f))
        {
            if (!(ax < float.PositiveInfinity)) return float.NaN;
            return (float)(quarter == 1 ? XMath.Cos((double)x) : XMath.Sin((double)x));
        }
        double xd = x;
        double k = (xd * 0.6366197723675814 + 6755399441055744.0) - 6755399441055744.0;
        float r = (float)(((xd - k * 1.5707963267341256) - k * 6.077100506303966e-11) - k * 2.0222662487959506e-21);
        int q = ((int)k + quarter) & 3;
        float z = r * r;
        float sin = r * z * ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f) + r;
        float cos = z * z * ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f) + (1f - 0.5f * z);
        float v = (q & 1) != 0 ? cos : sin;
        return (q & 2) != 0 ? -v : v;
    }

    /// <summary>acos x in [0, pi]: pi/2 - asin x for |x| &lt;= 1/2, else from asin(sqrt((1 - |x|)/2)) (acos(1) = 0); NaN outside [-1, 1].</summary>
    public static float Acos(float x)
    {
        float a = XMath.Abs(x);
        bool big = a > 0.5f;
        float z = big ? 0.5f * (1f - a) : x * x;
        float s = big ? XMath.Sqrt(z) : a;
        float p = ((((4.2163199048e-2f * z + 2.4181311049e-2f) * z + 4.5470025998e-2f) * z + 7.4953002686e-2f) * z + 1.6666752422e-1f);
        float t = s * z * p + s;
        if (big) return x < 0f ? 3.1415927410125732f - (t + t - -8.742278000372485e-08f) : t + t;
        return 1.5707963705062866f - ((x < 0f ? -t : t) - -4.37113900630947700e-08f);
    }

    /// <summary>asinh x = sign(x) log1p(|x| + x^2 / (1 + sqrt(1 + x^2))), and sign(x) (log|x| + ln 2) beyond 4096.</summary>
    public static float Asinh(float x)
    {
        float a = XMath.Abs(x);
        float r = a > 4096f ? Log1p(a - 1f) + 0.6931471805599453f : Log1p(a + a * a / (1f + XMath.Sqrt(1f + a * a)));
        return x < 0f ? -r : r;
    }

    /// <summary>atanh x = sign(x) log1p(2|x| / (1 - |x|)) / 2 (2|x| + 2|x| |x| / (1 - |x|) below 1/2): ±inf at ±1, NaN beyond.</summary>
    public static float Atanh(float x)
    {
        float a = XMath.Abs(x), t = a + a;
        float r = 0.5f * Log1p(a < 0.5f ? t * (a / (1f - a)) + t : t / (1f - a));
        return x < 0f ? -r : r;
    }

    /// <summary>log(1 - e^-x) for x &gt;= 0: log(-expm1(-x)) up to ln 2, log1p(-e^-x) above; -inf at 0, NaN below 0.</summary>
    public static float Log1mexp(float x)
    {
        if (!(x >= 0f)) return float.NaN;
        return x <= 0.6931471805599453f ? XMath.Log(-Expm1(-x)) : Log1p(-XMath.Exp(-x));
    }

    /// <summary>Square root.</summary>
    public static float Sqrt(float x) => XMath.Sqrt(x);

    /// <summary>|x|.</summary>
    public static float Abs(float x) => XMath.Abs(x);

    /// <summary>The smaller of two values.</summary>
    public static float Min(float a, float b) => XMath.Min(a, b);

    /// <summary>The larger of two values.</summary>
    public static float Max(float a, float b) => XMath.Max(a, b);

    /// <summary>1, -1 or the argument (0, -0, NaN).</summary>
    public static float Sign(float x) => x > 0f ? 1f : x < 0f ? -1f : x;

    /// <summary>The largest integer not above x.</summary>
    public static float Floor(float x) => XMath.Floor(x);

    /// <summary>x^y = exp(y log|x|) with the special cases of <see cref="PowFromLog"/>.</summary>
    public static float Pow(float x, float y) => PowFromLog(x, y, XMath.Log(XMath.Abs(x)));

    /// <summary>
    /// x^y given log|x|: 1 when y == 0; 1 when |x| == 1; the sign of x for an odd integral y (-0 included); NaN for a
    /// negative x and a non-integral y.
    /// </summary>
    public static float PowFromLog(float x, float y, float logAbsX)
    {
        if (y == 0f) return 1f;
        float result = XMath.Abs(x) == 1f ? 1f : XMath.Exp(y * logAbsX);
        bool integral = XMath.Floor(y) == y;
        if (!integral) return x < 0f ? float.NaN : result;
        float half = y * 0.5f;
        bool odd = XMath.Floor(half) != half;
        return odd && IsNegative(x) ? -result : result;
    }

    /// <summary>x^y for a uniform exponent: a small integral one (-2 to 4) by multiplication, any other by exp and log.</summary>
    public static float PowUniform(float x, float y) => IsSmallInteger(y) ? PowSmallInteger(x, (int)y) : PowFromLog(x, y, XMath.Log(XMath.Abs(x)));

    /// <summary><see cref="PowFromLog"/> for a uniform exponent: a small integral one by multiplication.</summary>
    public static float PowFromLogUniform(float x, float y, float logAbsX) => IsSmallInteger(y) ? PowSmallInteger(x, (int)y) : PowFromLog(x, y, logAbsX);

    private static bool IsSmallInteger(float y) => y >= -2f && y <= 4f && XMath.Floor(y) == y;

    private static float PowSmallInteger(float x, int k)
    {
        int m = k < 0 ? -k : k;
        float p = m == 0 ? 1f : m == 1 ? x : m == 2 ? x * x : m == 3 ? x * x * x : (x * x) * (x * x);
        return k < 0 ? 1f / p : p;
    }

    /// <summary>True for negative numbers and -0.</summary>
    private static bool IsNegative(float x) => x < 0f || (x == 0f && 1f / x < 0f);

    /// <summary>The order key of x (the radix select of kth, median and quantile; as <c>LossDsl.Internals.OrderKeys</c>):
    /// unsigned order is value order, -0 before +0, every NaN the largest.</summary>
    private static uint Key(float x)
    {
        if (XMath.IsNaN(x)) return uint.MaxValue;
        uint u = Interop.FloatAsInt(x);
        return (u & 0x80000000u) != 0 ? ~u : u | 0x80000000u;
    }

    /// <summary>Whether the key of x is below the key held in the bits of <paramref name="key"/>.</summary>
    public static bool KeyBelow(float x, float key) => Key(x) < Interop.FloatAsInt(key);

    /// <summary>The key held in <paramref name="key"/> with bit <paramref name="bit"/> (0 to 31) set.</summary>
    public static float KeyBit(float key, float bit) => Interop.IntAsFloat(Interop.FloatAsInt(key) | 1u << (int)bit);

    /// <summary>The float whose key is held in the bits of <paramref name="key"/>.</summary>
    public static float KeyValue(float key)
    {
        uint k = Interop.FloatAsInt(key);
        return Interop.IntAsFloat((k & 0x80000000u) != 0 ? k & 0x7FFFFFFFu : ~k);
    }
}
