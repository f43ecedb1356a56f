using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Simd;

/// <summary>Chooses which <see cref="ISimdOps{TVec}"/> width a kernel runs with.</summary>
public static class SimdDispatch
{
    // 0 = not forced. An int rather than an int? so that reads and writes are atomic.
    private static volatile int s_forcedWidth;

    /// <summary>
    /// The width, in bits, kernels should use: 512, 256, 128, or 1 for scalar code. Honors <see cref="ForcedWidth"/>;
    /// otherwise <see cref="HardwareWidth"/>.
    /// </summary>
    public static int PreferredWidth
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int forced = s_forcedWidth;
            return forced != 0 ? forced : HardwareWidth;
        }
    }

    /// <summary>
    /// The widest accelerated vector width: 512 if <see cref="Vector512.IsHardwareAccelerated"/>, else 256, 128, or
    /// 1 when nothing is accelerated.
    /// </summary>
    /// <remarks>
    /// 512 is preferred whenever the runtime reports it accelerated (the runtime already reports false on CPUs where
    /// 512-bit code throttles the clock). Measured on the 2-core AVX-512 AMD EPYC development VM, .NET 10, a 4096-float
    /// L1-resident loop, best of 5 x 200 ms after warm-up, ns per element (512 / 256 / 128 / scalar):
    /// Exp 0.26 / 0.48 / 0.99 / 3.4, Log 0.46 / 0.74 / 1.40 / 3.9, Sigmoid 0.40 / 0.77 / 1.61, Pow 0.87 / 1.84 / 3.44.
    /// (The BCL's double-based Vector512.Exp / Vector256.Exp took 0.92 / 2.62 there, MathF.Exp 4.5.) So these
    /// float-only kernels are about twice as fast at 512 bits as at 256, and there is no reason to prefer 256 here.
    /// </remarks>
    public static int HardwareWidth
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated ? 512
            : Vector256.IsHardwareAccelerated ? 256
            : Vector128.IsHardwareAccelerated ? 128
            : 1;
    }

    /// <summary>
    /// Overrides <see cref="PreferredWidth"/> (null = automatic). Tests use it to run the narrower paths. Setting a
    /// width that is not 512, 256, 128 or 1, or whose vectors this machine does not accelerate, throws
    /// <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public static int? ForcedWidth
    {
        get
        {
            int forced = s_forcedWidth;
            return forced != 0 ? forced : null;
        }
        set
        {
            if (value is int width && !IsSupported(width))
            {
                throw new ArgumentOutOfRangeException(nameof(value), width,
                    $"SIMD width {width} cannot run on this machine; use 512, 256, 128 or 1 where the hardware accelerates it.");
            }

            s_forcedWidth = value ?? 0;
        }
    }

    /// <summary>Whether kernels can run at <paramref name="width"/> bits (1 = scalar, always true) on this machine.</summary>
    public static bool IsSupported(int width) => width switch
    {
        512 => Vector512.IsHardwareAccelerated,
        256 => Vector256.IsHardwareAccelerated,
        128 => Vector128.IsHardwareAccelerated,
        1 => true,
        _ => false,
    };
}
