using System;
using System.Threading;

namespace LossDsl.Threading;

/// <summary>
/// The multi-core setting of generated loss kernels: how many threads one call of a kernel may use.
/// </summary>
/// <remarks>
/// <para>
/// A kernel's passes run on the calling thread plus a small persistent pool of dedicated background threads
/// ("LossDsl worker N"), created lazily and grown to <see cref="MaxDegreeOfParallelism"/> - 1 workers as calls need
/// them. Idle workers spin for a short while after a call (so back-to-back calls are cheap) and then block; they never
/// keep the process alive. After the first parallel call has created the workers, a kernel call allocates nothing.
/// </para>
/// <para>
/// The pool serves one kernel call at a time. A call made while it is busy, from another thread or nested inside a
/// running call, does not wait: it runs on its own calling thread alone. This can never deadlock, and results do not
/// change: kernels split their work into chunks fixed by the extents alone and combine the chunks' partial results in
/// a fixed order, so a loss and its gradients are bit-identical for any value of
/// <see cref="MaxDegreeOfParallelism"/> (docs/language.md §10).
/// </para>
/// </remarks>
public static class LossParallel
{
    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// The most threads, the caller included, that one call of a generated kernel may use. Defaults to
    /// <see cref="Environment.ProcessorCount"/>; 1 runs all of a call's work on the calling thread.
    /// </summary>
    /// <remarks>
    /// The setting is global to the process and may be read and written from any thread; a change applies to the
    /// kernel calls that start after it. It changes the speed of a call, never its results.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value set is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref s_maxDegreeOfParallelism);
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    "The maximum degree of parallelism must be at least 1.");
            }
            Volatile.Write(ref s_maxDegreeOfParallelism, value);
        }
    }
}
