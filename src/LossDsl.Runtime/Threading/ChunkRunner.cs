using System;
using System.ComponentModel;
using LossDsl.Threading;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice. The allocation-free parallel loop
/// that generated kernels use to split a pass into chunks, capped by <see cref="LossParallel.MaxDegreeOfParallelism"/>.
/// </summary>
/// <remarks>
/// <para>
/// Work runs on the calling thread plus the persistent worker pool described at <see cref="LossParallel"/>. After the
/// first parallel call has created the workers, <see cref="Run"/> performs no managed allocation: no tasks, delegates,
/// closures or boxing.
/// </para>
/// <para>
/// Re-entrancy and concurrency: the pool serves one <see cref="Run"/> at a time. A call made while the pool is busy,
/// whether from another thread or nested inside a chunk of a running call, does not wait for it: it runs all of its
/// chunks sequentially on its own calling thread. This can never deadlock, and the results are the same, since a
/// job's results must not depend on which thread runs which chunk.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ChunkRunner
{
    /// <summary>
    /// Runs <c>job.Execute(k)</c> for every <c>k</c> in <c>[0, chunkCount)</c> on up to
    /// <c>min(LossParallel.MaxDegreeOfParallelism, chunkCount)</c> threads, the calling thread included, and returns
    /// when every chunk is done.
    /// </summary>
    /// <remarks>
    /// With <paramref name="chunkCount"/> &lt;= 1, with <see cref="LossParallel.MaxDegreeOfParallelism"/> == 1, or
    /// while the pool is serving another call, the chunks run in order on the calling thread without any
    /// synchronization. If an <see cref="ChunkJob.Execute"/> throws, chunks not yet started may be skipped; the call
    /// still waits for the chunks already running and then rethrows the first exception recorded on the caller, with
    /// its original stack trace.
    /// </remarks>
    /// <param name="job">The work; its <see cref="ChunkJob.Execute"/> is called once per chunk.</param>
    /// <param name="chunkCount">The number of chunks.</param>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkCount"/> is negative.</exception>
    public static void Run(ChunkJob job, int chunkCount)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkCount);

        int threads = Math.Min(LossParallel.MaxDegreeOfParallelism, chunkCount);
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
