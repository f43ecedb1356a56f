using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace LossDsl.Internals;

/// <summary>
/// The process-wide worker pool behind <see cref="ChunkRunner.Run"/>. It serves one call at a time: the caller that
/// wins <see cref="TryAcquire"/> owns every mutable field below until <see cref="RunAcquired"/> returns.
/// </summary>
/// <remarks>
/// <para>
/// Chunk claiming. A call is published as a generation number g. <see cref="s_state"/> packs the low 32 bits of g
/// (high half) with the next unclaimed chunk index (low half); a thread claims a chunk by a compare-exchange that
/// advances the index only while the generation still matches, so a worker woken for an earlier call (one that
/// finished before the worker got to run) can never take a chunk of a later call. When a call completes, the owner
/// "closes" it by setting the index half to <see cref="Closed"/> before it touches the job or the chunk count again.
/// The values of <see cref="s_state"/> therefore never repeat (until the 32-bit generation wraps after 2^32 calls,
/// which would matter only to a thread stalled across all of them), and a successful claim from a state read before
/// the job and count were read proves that job and count belong to that state's call.
/// </para>
/// <para>
/// Completion. <see cref="s_remaining"/> counts chunks not yet finished; only a thread that claimed chunks of the call
/// subtracts from it (once, for all of its chunks, when it stops claiming), so it is exact. The owner spins briefly on
/// it, then parks on <see cref="s_doneLock"/>; the thread that brings it to zero pulses the lock if the owner said it
/// parked. Both sides use full fences (Interlocked) before reading the
/// other's flag, so a wake-up cannot be lost; a late pulse only causes a spurious wake-up, which re-checks.
/// </para>
/// <para>
/// Wake-up. Each worker has its own request slot (<see cref="PoolWorker.Request"/>), so a call wakes exactly the
/// <c>min(MaxDegreeOfParallelism, chunkCount) - 1</c> workers it may use and no others.
/// </para>
/// </remarks>
internal static class LossWorkerPool
{
    /// <summary>Index half of <see cref="s_state"/> for a call that has completed: above every chunk count.</summary>
    private const uint Closed = uint.MaxValue;

    /// <summary>How long the owner spins waiting for the last chunks before it blocks.</summary>
    private static readonly long s_callerSpinTicks = SpinTicks(microseconds: 50);

    /// <summary>How long an idle worker spins waiting for the next call before it blocks.</summary>
    internal static readonly long WorkerSpinTicks = SpinTicks(microseconds: 100);

    private static readonly object s_doneLock = new();

    /// <summary>1 while a call owns the pool.</summary>
    private static int s_busy;

    // Owned by the caller holding s_busy.
    private static PoolWorker[] s_workers = Array.Empty<PoolWorker>();
    private static long s_generation;

    // Shared with the workers.
    private static long s_state = Closed;
    private static ChunkJob? s_job;
    private static int s_chunkCount;
    private static int s_remaining;
    private static int s_faulted;
    private static ExceptionDispatchInfo? s_error;
    private static int s_ownerParked;

    private static long SpinTicks(int microseconds) =>
        Environment.ProcessorCount > 1 ? Math.Max(1, Stopwatch.Frequency * microseconds / 1_000_000) : 0;

    internal static bool TryAcquire() => Interlocked.CompareExchange(ref s_busy, 1, 0) == 0;

    /// <summary>Runs a call on the pool, which the caller has acquired; releases it before returning.</summary>
    internal static void RunAcquired(ChunkJob job, int chunkCount, int helpers)
    {
        try
        {
            EnsureWorkers(helpers);
        }
        catch
        {
            Volatile.Write(ref s_busy, 0);
            throw;
        }

        // Publish the call. The previous call left s_state closed, so no thread can claim anything until the
        // Interlocked.Exchange below, and that full fence makes the writes before it visible to any claimer.
        Volatile.Write(ref s_job, job);
        Volatile.Write(ref s_chunkCount, chunkCount);
        Volatile.Write(ref s_faulted, 0);
        Volatile.Write(ref s_remaining, chunkCount);
        long generation = ++s_generation;
        Interlocked.Exchange(ref s_state, Pack((uint)generation, 0));

        ExceptionDispatchInfo? error;
        try
        {
            PoolWorker[] workers = s_workers;
            for (int i = 0; i < helpers; i++)
            {
                workers[i].Request(generation);
            }
        }
        finally
        {
            // Once published, the call is always completed (by the caller alone if waking a worker failed) before
            // the pool is released, so no worker can still be inside the job afterwards.
            Participate((uint)generation);
            WaitForCompletion();

            // Close the call before anything else changes; see the remarks on the class.
            Interlocked.Exchange(ref s_state, Pack((uint)generation, Closed));
            Volatile.Write(ref s_job, null);
            error = s_error;
            s_error = null;
            Volatile.Write(ref s_busy, 0);
        }

        error?.Throw();
    }

    /// <summary>
    /// Claims and runs chunks of call <paramref name="generation"/> until none is left or a later call has started.
    /// Never throws: a chunk's exception is recorded for the owner.
    /// </summary>
    internal static void Participate(uint generation)
    {
        long state = Volatile.Read(ref s_state);
        if (GenerationOf(state) != generation)
        {
            return;
        }
        // Possibly already those of a later call; then every claim below fails (see the remarks on the class).
        ChunkJob? job = Volatile.Read(ref s_job);
        uint chunkCount = (uint)Volatile.Read(ref s_chunkCount);

        int finished = 0;
        while (true)
        {
            uint chunk = (uint)state;
            if (GenerationOf(state) != generation || chunk >= chunkCount)
            {
                break;
            }
            long seen = Interlocked.CompareExchange(ref s_state, state + 1, state);
            if (seen != state)
            {
                state = seen;
                continue;
            }

            if (Volatile.Read(ref s_faulted) == 0)
            {
                try
                {
                    job!.Execute((int)chunk);
                }
                catch (Exception exception)
                {
                    Volatile.Write(ref s_faulted, 1);
                    Interlocked.CompareExchange(ref s_error, ExceptionDispatchInfo.Capture(exception), null);
                }
            }
            finished++;
            state = Volatile.Read(ref s_state);
        }

        // Finished chunks are counted off once per participant, not once per chunk, to halve the cache-line traffic;
        // the call cannot complete before every participant that claimed something has stopped claiming.
        if (finished != 0 && Interlocked.Add(ref s_remaining, -finished) == 0 && Volatile.Read(ref s_ownerParked) != 0)
        {
            lock (s_doneLock)
            {
                Monitor.PulseAll(s_doneLock);
            }
        }
    }

    private static void WaitForCompletion()
    {
        if (Volatile.Read(ref s_remaining) == 0)
        {
            return;
        }

        if (s_callerSpinTicks > 0)
        {
            long deadline = Stopwatch.GetTimestamp() + s_callerSpinTicks;
            SpinWait spinner = default;
            while (Volatile.Read(ref s_remaining) != 0)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    break;
                }
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        // Workers are still running chunks of this call, so the wait must not be cut short: an interrupt is
        // deferred until the call is complete and then re-raised for the thread's next blocking call.
        bool interrupted = false;
        lock (s_doneLock)
        {
            Interlocked.Exchange(ref s_ownerParked, 1);
            while (Volatile.Read(ref s_remaining) != 0)
            {
                try
                {
                    Monitor.Wait(s_doneLock);
                }
                catch (ThreadInterruptedException)
                {
                    interrupted = true;
                }
            }
            Volatile.Write(ref s_ownerParked, 0);
        }
        if (interrupted)
        {
            Thread.CurrentThread.Interrupt();
        }
    }

    private static void EnsureWorkers(int count)
    {
        PoolWorker[] workers = s_workers;
        if (workers.Length >= count)
        {
            return;
        }
        var grown = new PoolWorker[count];
        Array.Copy(workers, grown, workers.Length);
        int created = workers.Length;
        try
        {
            for (; created < count; created++)
            {
                grown[created] = new PoolWorker(created + 1);
            }
        }
        finally
        {
            // Keep the threads that did start even if creating a later one failed.
            s_workers = created == count ? grown : grown[..created];
        }
    }

    private static long Pack(uint generation, uint chunk) => (long)(((ulong)generation << 32) | chunk);

    private static uint GenerationOf(long state) => (uint)((ulong)state >> 32);
}

/// <summary>One dedicated background thread of <see cref="LossWorkerPool"/>.</summary>
internal sealed class PoolWorker
{
    private readonly object _lock = new();
    /// <summary>The latest generation this worker was asked to help with (written by the owning caller).</summary>
    private long _requested;
    /// <summary>1 while the worker is blocked (or about to block) on <see cref="_lock"/>.</summary>
    private int _parked;

    internal PoolWorker(int number)
    {
        var thread = new Thread(Loop)
        {
            IsBackground = true,
            Name = "LossDsl worker " + number,
        };
        // No ExecutionContext flow: the worker must not keep the creating caller's AsyncLocal values alive.
        thread.UnsafeStart();
    }

    /// <summary>Asks the worker to help with call <paramref name="generation"/>, waking it if it is blocked.</summary>
    internal void Request(long generation)
    {
        Interlocked.Exchange(ref _requested, generation);
        if (Volatile.Read(ref _parked) != 0)
        {
            lock (_lock)
            {
                Monitor.Pulse(_lock);
            }
        }
    }

    private void Loop()
    {
        long handled = 0;
        while (true)
        {
            handled = WaitForRequest(handled);
            LossWorkerPool.Participate((uint)handled);
        }
    }

    private long WaitForRequest(long handled)
    {
        long requested;
        long spinTicks = LossWorkerPool.WorkerSpinTicks;
        if (spinTicks > 0)
        {
            long deadline = Stopwatch.GetTimestamp() + spinTicks;
            SpinWait spinner = default;
            while ((requested = Volatile.Read(ref _requested)) == handled)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    break;
                }
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            if (requested != handled)
            {
                return requested;
            }
        }

        lock (_lock)
        {
            Interlocked.Exchange(ref _parked, 1);
            while ((requested = Volatile.Read(ref _requested)) == handled)
            {
                try
                {
                    Monitor.Wait(_lock);
                }
                catch (ThreadInterruptedException)
                {
                    // Nobody but this pool should interrupt a worker; stay alive and keep waiting.
                }
            }
            Volatile.Write(ref _parked, 0);
        }
        return requested;
    }
}
