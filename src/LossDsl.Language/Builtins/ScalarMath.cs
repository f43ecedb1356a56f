using System;

namespace LossDsl.Language.Builtins;

/// <summary>Double-precision reference math of the operations (see BuiltinTable.Operations), shared by constant folding and the interpreter.</summary>
internal static class ScalarMath
{
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
    public static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    public static double Log1p(double x)
    {
        if (double.IsNaN(x)) return x;
        if (Math.Abs(x) < 1e-4) return x * (1 - x * (0.5 - x * (1.0 / 3 - x * 0.25)));
        return Math.Log(1 + x);
    }

    public static double Expm1(double x)
    {
        if (Math.Abs(x) < 1e-5) return x * (1 + x * (0.5 + x / 6));
        return Math.Exp(x) - 1;
    }

    /// <summary>asinh(x) = sign(x) log1p(|x| + x^2 / (1 + sqrt(1 + x^2))), and sign(x) (log|x| + ln 2) beyond 2^28.</summary>
    public static double Asinh(double x)
    {
        double a = Math.Abs(x);
        double r = a > 268435456.0 ? Math.Log(a) + 0.69314718055994530942 : AccurateLog1p(a + a * a / (1 + Math.Sqrt(1 + a * a)));
        return x < 0 ? -r : r;
    }

    /// <summary>atanh(x) = sign(x) log1p(2|x| / (1 - |x|)) / 2 (2|x| + 2|x| |x| / (1 - |x|) below 1/2): ±inf at ±1, NaN beyond.</summary>
    public static double Atanh(double x)
    {
        double a = Math.Abs(x), t = a + a;
        double r = 0.5 * AccurateLog1p(a < 0.5 ? t + t * a / (1 - a) : t / (1 - a));
        return x < 0 ? -r : r;
    }

    /// <summary>log(1 - e^-x) for x &gt;= 0 (Maechler): log(-expm1(-x)) up to ln 2, log1p(-e^-x) above; -inf at 0, NaN below 0.</summary>
    public static double Log1mexp(double x)
    {
        if (!(x >= 0)) return double.NaN;
        return x <= 0.69314718055994530942 ? Math.Log(-AccurateExpm1(-x)) : AccurateLog1p(-Math.Exp(-x));
    }

    /// <summary>log(1 + x) to a few double ulps for every x (Kahan: the rounding of 1 + x is corrected).</summary>
    private static double AccurateLog1p(double x)
    {
        if (double.IsNaN(x) || x < -1) return double.NaN;
        if (double.IsPositiveInfinity(x)) return x;
        double u = 1 + x;
        if (u == 0) return double.NegativeInfinity;
        return u == 1 ? x : Math.Log(u) * (x / (u - 1));
    }

    /// <summary>e^x - 1 to a few double ulps for every x (Kahan: (u - 1) x / log u with u = e^x).</summary>
    private static double AccurateExpm1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1) return x;
        double um1 = u - 1;
        if (um1 == -1 || double.IsPositiveInfinity(u)) return um1;
        return um1 * (x / Math.Log(u));
    }

    /// <summary>x^y with the language's semantics (see docs/language.md): 0^0 = 1, negative bases need integral exponents.</summary>
    public static double Pow(double x, double y)
    {
        if (y == 0) return 1;
        return Math.Pow(x, y);
    }

    /// <summary>erf(x) to about 1e-15 (Taylor series near 0, continued fraction erfc otherwise).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax > 6) return Math.Sign(x);
        if (ax < 2.5)
        {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = 0, term = x;
            for (int n = 0; n < 200; n++)
            {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.Abs(t) < 1e-17 * Math.Abs(sum)) break;
                term *= -x * x / (n + 1);
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc via Lentz continued fraction: erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x+ 1/2/(x+ 1/(x+ 3/2/(x+ ...))))
        double f = ax, c = ax, d = 0, tiny = 1e-300;
        for (int n = 1; n < 300; n++)
        {
            double an = n / 2.0;
            d = ax + an * d; if (Math.Abs(d) < tiny) d = tiny; d = 1 / d;
            c = ax + an / c; if (Math.Abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        return Math.Sign(x) * (1 - erfc);
    }
}
