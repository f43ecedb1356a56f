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
