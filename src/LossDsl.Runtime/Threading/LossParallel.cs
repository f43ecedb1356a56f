using System;
using System.Threading;

namespace LossDsl.Threading;

/// <summary>
/// The allocation-free parallel loop that generated kernels use to split work into chunks.
/// </summary>
/// <remarks>
/// <para>
/// Work runs on the calling thread plus a small persistent pool of dedicated background threads
/// ("LossDsl worker N"), created lazily and grown to <see cref="MaxDegreeOfParallelism"/> - 1 workers as calls need
/// them. Idle workers spin for a short while after a call (so back-to-back calls are cheap) and then block; they never
/// keep the process alive. After the first parallel call has created the workers, <see cref="Run"/> performs no
/// managed allocation: no tasks, delegates, closures or boxing.
/// </para>
/// <para>
/// Re-entrancy and concurrency: the pool serves one <see cref="Run"/> at a time. A call made while the pool is busy,
/// whether from another thread or nested inside a chunk of a running call, does not wait for it: it runs all of its
/// chunks sequentially on its own calling thread. This can never deadlock, and the results are the same, since a
/// job's results must not depend on which thread runs which chunk.
/// </para>
/// </remarks>
public static class LossParallel
{
    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// The most threads, the caller included, that one <see cref="Run"/> may use. Defaults to
    /// <see cref="Environment.ProcessorCount"/>; 1 runs every chunk on the calling thread. The setting is global.
    /// </summary>
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

    /// <summary>
    /// Runs <c>job.Execute(k)</c> for every <c>k</c> in <c>[0, chunkCount)</c> on up to
    /// <c>min(MaxDegreeOfParallelism, chunkCount)</c> threads, the calling thread included, and returns when every
    /// chunk is done.
    /// </summary>
    /// <remarks>
    /// With <paramref name="chunkCount"/> &lt;= 1, with <see cref="MaxDegreeOfParallelism"/> == 1, or while the pool is
    /// serving another call (see <see cref="LossParallel"/>), the chunks run in order on the calling thread without any
    /// synchronization. If an <see cref="ChunkJob.Execute"/> throws, chunks not yet started may be skipped; the call
    /// still waits for the chunks already running and then rethrows the first exception recorded on the caller, with
    /// its original stack trace.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkCount"/> is negative.</exception>
    public static void Run(ChunkJob job, int chunkCount)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkCount);

        int threads = Math.Min(MaxDegreeOfParallelism, chunkCount);
        if (threads <= 1 || !LossWorkerPool.TryAcquire())
        {
            for (int chunk = 0; chunk < chunkCount; chunk++)
            {
                job.Execute(chunk);
            }
            return;
        }
        LossWorkerPool.RunAcquired(job, chunkCount, threads - 1);
    }
}
