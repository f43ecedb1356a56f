using System;
using System.Collections.Generic;
using System.Threading;
using LossDsl.Internals;
using LossDsl.Threading;
using Xunit;

namespace LossDsl.Tests.Threading;

/// <summary>
/// <see cref="LossParallel.MaxDegreeOfParallelism"/> and the worker pool are process-wide, so these tests run alone
/// (xunit runs collections with DisableParallelization after the parallel ones, one test at a time).
/// </summary>
[CollectionDefinition("LossParallel", DisableParallelization = true)]
public sealed class LossParallelCollection
{
}

[Collection("LossParallel")]
public sealed class LossParallelTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<int, int> CountsAndDegrees()
    {
        var data = new TheoryData<int, int>();
        foreach (int chunkCount in new[] { 0, 1, 2, 3, 100, 10000 })
        {
            foreach (int degree in new[] { 1, 2, 4, 8 })
            {
                data.Add(chunkCount, degree);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CountsAndDegrees))]
    public void EveryChunkRunsExactlyOnce(int chunkCount, int degree)
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = degree;
            var job = new CountingJob(chunkCount);
            for (int repeat = 0; repeat < 5; repeat++)
            {
                job.Reset();
                ChunkRunner.Run(job, chunkCount);
                job.AssertEachChunkRanOnce();
                Assert.True(job.DistinctThreads() <= Math.Min(degree, chunkCount),
                    $"{job.DistinctThreads()} threads ran {chunkCount} chunks with MaxDegreeOfParallelism {degree}");
                if (degree == 1 || chunkCount <= 1)
                {
                    job.AssertAllOnThread(Environment.CurrentManagedThreadId);
                }
            }
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void WorkersAreNamedBackgroundThreads()
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = 2;
            var job = new WorkerObservingJob(Environment.CurrentManagedThreadId);
            ChunkRunner.Run(job, 2);
            Assert.True(job.WorkerRan, "no worker thread ran a chunk");
            Assert.True(job.WorkerIsBackground);
            Assert.StartsWith("LossDsl worker ", job.WorkerName);
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ExceptionReachesTheCallerAndThePoolStillWorks(int degree)
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = degree;
            var thrower = new ThrowingJob(failingChunk: 17);
            var exception = Assert.Throws<InvalidOperationException>(() => ChunkRunner.Run(thrower, 100));
            Assert.Equal("boom at chunk 17", exception.Message);
            // ExceptionDispatchInfo keeps the frame where it was thrown.
            Assert.Contains(nameof(ThrowingJob), exception.StackTrace);

            var job = new CountingJob(1000);
            ChunkRunner.Run(job, 1000);
            job.AssertEachChunkRanOnce();
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void ExceptionThrownOnAWorkerReachesTheCaller()
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = 2;
            var job = new WorkerThrowingJob(Environment.CurrentManagedThreadId);
            var exception = Assert.Throws<ChunkFailedException>(() => ChunkRunner.Run(job, 2));
            Assert.Equal("worker failed", exception.Message);

            var counting = new CountingJob(64);
            ChunkRunner.Run(counting, 64);
            counting.AssertEachChunkRanOnce();
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void WhenEveryChunkThrowsOneExceptionIsRethrown()
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = 4;
            var exception = Assert.Throws<InvalidOperationException>(
                () => ChunkRunner.Run(new ThrowingJob(failingChunk: -1), 1000));
            Assert.StartsWith("boom at chunk ", exception.Message);
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void ConcurrentCallsFromSeveralThreadsComplete()
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = 4;
            const int callers = 4;
            const int iterations = 200;
            var failures = new List<Exception>();
            using var start = new Barrier(callers);
            var threads = new Thread[callers];
            for (int t = 0; t < callers; t++)
            {
                int seed = t;
                threads[t] = new Thread(() =>
                {
                    try
                    {
                        var job = new CountingJob(257);
                        start.SignalAndWait();
                        for (int i = 0; i < iterations; i++)
                        {
                            int chunkCount = (i * 37 + seed * 11) % 258;
                            job.Reset();
                            ChunkRunner.Run(job, chunkCount);
                            job.AssertEachChunkRanOnce(chunkCount);
                        }
                    }
                    catch (Exception exception)
                    {
                        lock (failures)
                        {
                            failures.Add(exception);
                        }
                    }
                }) { IsBackground = true };
                threads[t].Start();
            }
            foreach (Thread thread in threads)
            {
                Assert.True(thread.Join(s_timeout), "a concurrent caller did not finish (deadlock?)");
            }
            Assert.Empty(failures);
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void CallWhilePoolIsBusyRunsInlineOnTheCaller()
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = 4;
            using var holder = new BlockingJob();
            var outer = new Thread(() => ChunkRunner.Run(holder, 4)) { IsBackground = true };
            outer.Start();
            try
            {
                Assert.True(holder.Started.Wait(s_timeout), "the pool-holding call did not start");

                // The pool is now owned by `outer`, whose chunks are blocked: this call must run alone, inline.
                var job = new CountingJob(64);
                ChunkRunner.Run(job, 64);
                job.AssertEachChunkRanOnce();
                job.AssertAllOnThread(Environment.CurrentManagedThreadId);
            }
            finally
            {
                holder.Release.Set();
                Assert.True(outer.Join(s_timeout), "the pool-holding call did not finish");
            }
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void NestedRunFromInsideAChunkWorks(int degree)
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = degree;
            var outer = new NestingJob(outerCount: 8, innerCount: 50);
            ChunkRunner.Run(outer, 8);
            outer.AssertEachInnerChunkRanOnce();
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    /// <summary>
    /// Steady state allocates nothing, measured three ways. (1) The calling thread's own counter must not move at all.
    /// (2) Every thread that runs chunks, workers included, reads its own counter inside each chunk: between its first
    /// and its last chunk of the measured calls it must not move either, which covers the workers' dispatch loop.
    /// (3) The process-wide counter must stay under 1000 bytes for 1000 calls in at least one of up to ten rounds: the
    /// test runner's own threads (reporting earlier results) allocate now and then while a round runs, but a
    /// per-call allocation anywhere in the pool would cost at least 24 bytes x 1000 calls in every round.
    /// </summary>
    [Fact]
    public void SteadyStateRunDoesNotAllocate()
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            LossParallel.MaxDegreeOfParallelism = 4;
            var job = new AllocationProbeJob();
            for (int i = 0; i < 300; i++)
            {
                ChunkRunner.Run(job, i % 2 == 0 ? 2 : 64);
            }
            Thread.Sleep(50); // let the runner finish reporting the previous tests

            long smallestTotal = long.MaxValue;
            for (int round = 0; round < 10 && smallestTotal >= 1000; round++)
            {
                job.StartRound();
                long thread0 = GC.GetAllocatedBytesForCurrentThread();
                long total0 = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < 1000; i++)
                {
                    ChunkRunner.Run(job, i % 2 == 0 ? 2 : 64);
                }
                long total1 = GC.GetTotalAllocatedBytes(precise: true);
                long thread1 = GC.GetAllocatedBytesForCurrentThread();
                job.StopRound();
                Assert.Equal(0L, thread1 - thread0);
                job.AssertNoThreadAllocated();
                smallestTotal = Math.Min(smallestTotal, total1 - total0);
            }
            Assert.True(smallestTotal < 1000, $"1000 calls allocated {smallestTotal} bytes process-wide");
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void MaxDegreeOfParallelismRejectsValuesBelowOne()
    {
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            Assert.True(saved >= 1);
            var zero = Assert.Throws<ArgumentOutOfRangeException>(() => LossParallel.MaxDegreeOfParallelism = 0);
            Assert.Equal("value", zero.ParamName);
            var negative = Assert.Throws<ArgumentOutOfRangeException>(() => LossParallel.MaxDegreeOfParallelism = -3);
            Assert.Equal("value", negative.ParamName);
            Assert.Equal(saved, LossParallel.MaxDegreeOfParallelism);

            LossParallel.MaxDegreeOfParallelism = 1;
            Assert.Equal(1, LossParallel.MaxDegreeOfParallelism);
            LossParallel.MaxDegreeOfParallelism = 3;
            Assert.Equal(3, LossParallel.MaxDegreeOfParallelism);
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void RunValidatesItsArguments()
    {
        var nullJob = Assert.Throws<ArgumentNullException>(() => ChunkRunner.Run(null!, 4));
        Assert.Equal("job", nullJob.ParamName);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => ChunkRunner.Run(new CountingJob(1), -1));
        Assert.Equal("chunkCount", negative.ParamName);
    }

    private sealed class CountingJob : ChunkJob
    {
        private readonly int[] _hits;
        private readonly int[] _threads;

        public CountingJob(int capacity)
        {
            _hits = new int[capacity];
            _threads = new int[capacity];
        }

        public override void Execute(int chunk)
        {
            Interlocked.Increment(ref _hits[chunk]);
            Volatile.Write(ref _threads[chunk], Environment.CurrentManagedThreadId);
        }

        public int Hits(int chunk) => Volatile.Read(ref _hits[chunk]);

        public void Reset()
        {
            Array.Clear(_hits);
            Array.Clear(_threads);
        }

        public void AssertEachChunkRanOnce() => AssertEachChunkRanOnce(_hits.Length);

        public void AssertEachChunkRanOnce(int chunkCount)
        {
            for (int chunk = 0; chunk < _hits.Length; chunk++)
            {
                int expected = chunk < chunkCount ? 1 : 0;
                if (_hits[chunk] != expected)
                {
                    Assert.Fail($"chunk {chunk} of {chunkCount} ran {_hits[chunk]} times");
                }
            }
        }

        public int DistinctThreads()
        {
            var seen = new HashSet<int>();
            for (int chunk = 0; chunk < _hits.Length; chunk++)
            {
                if (_hits[chunk] != 0)
                {
                    seen.Add(_threads[chunk]);
                }
            }
            return seen.Count;
        }

        public void AssertAllOnThread(int threadId)
        {
            for (int chunk = 0; chunk < _hits.Length; chunk++)
            {
                if (_hits[chunk] != 0 && _threads[chunk] != threadId)
                {
                    Assert.Fail($"chunk {chunk} ran on thread {_threads[chunk]}, not on the caller {threadId}");
                }
            }
        }
    }

    /// <summary>
    /// Records, per thread, the thread's allocation counter at its first and last chunk of a round. Threads get a slot
    /// on their first chunk (during warm-up, since touching a thread static the first time may allocate). Rounds are
    /// separate so that what the test itself allocates between rounds is not counted.
    /// </summary>
    private sealed class AllocationProbeJob : ChunkJob
    {
        private const int Slots = 256;

#pragma warning disable IDE1006 // [ThreadStatic] fields are t_-prefixed, which no naming rule can tell from other static fields.
        [ThreadStatic]
        private static int t_slot;
#pragma warning restore IDE1006
        private static int s_lastSlot;

        private readonly long[] _first = new long[Slots];
        private readonly long[] _last = new long[Slots];
        private readonly int[] _chunks = new int[Slots];
        private volatile bool _measuring;

        public void StartRound()
        {
            Array.Clear(_chunks);
            _measuring = true;
        }

        public void StopRound() => _measuring = false;

        public override void Execute(int chunk)
        {
            int slot = t_slot;
            if (slot == 0)
            {
                slot = t_slot = Interlocked.Increment(ref s_lastSlot);
            }
            if (!_measuring || slot >= Slots)
            {
                return;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            if (_chunks[slot]++ == 0)
            {
                _first[slot] = allocated;
            }
            _last[slot] = allocated;
        }

        public void AssertNoThreadAllocated()
        {
            int threads = 0;
            for (int slot = 0; slot < Slots; slot++)
            {
                if (_chunks[slot] == 0)
                {
                    continue;
                }
                threads++;
                long allocated = _last[slot] - _first[slot];
                if (allocated != 0)
                {
                    Assert.Fail($"a thread allocated {allocated} bytes across {_chunks[slot]} chunks");
                }
            }
            Assert.True(threads >= 1);
        }
    }

    private sealed class ThrowingJob(int failingChunk) : ChunkJob
    {
        public override void Execute(int chunk)
        {
            if (failingChunk < 0 || chunk == failingChunk)
            {
                throw new InvalidOperationException($"boom at chunk {chunk}");
            }
        }
    }

    private sealed class ChunkFailedException(string message) : Exception(message);

    /// <summary>
    /// The caller's chunk waits until another thread has run a chunk, so with two chunks and two threads a worker is
    /// guaranteed to take part.
    /// </summary>
    private class WorkerObservingJob(int callerThreadId) : ChunkJob
    {
        private volatile bool _workerRan;

        public bool WorkerRan => _workerRan;
        public bool WorkerIsBackground { get; private set; }
        public string? WorkerName { get; private set; }

        public override void Execute(int chunk)
        {
            if (Environment.CurrentManagedThreadId == callerThreadId)
            {
                SpinWait.SpinUntil(() => _workerRan, s_timeout);
                return;
            }
            WorkerIsBackground = Thread.CurrentThread.IsBackground;
            WorkerName = Thread.CurrentThread.Name;
            _workerRan = true;
            OnWorker();
        }

        protected virtual void OnWorker()
        {
        }
    }

    private sealed class WorkerThrowingJob(int callerThreadId) : WorkerObservingJob(callerThreadId)
    {
        protected override void OnWorker() => throw new ChunkFailedException("worker failed");
    }

    /// <summary>Holds the pool: every chunk blocks until <see cref="Release"/> is set.</summary>
    private sealed class BlockingJob : ChunkJob, IDisposable
    {
        public ManualResetEventSlim Started { get; } = new();
        public ManualResetEventSlim Release { get; } = new();

        public override void Execute(int chunk)
        {
            Started.Set();
            Release.Wait(s_timeout);
        }

        public void Dispose()
        {
            Started.Dispose();
            Release.Dispose();
        }
    }

    private sealed class NestingJob : ChunkJob
    {
        private readonly CountingJob[] _inner;
        private readonly int _innerCount;

        public NestingJob(int outerCount, int innerCount)
        {
            _innerCount = innerCount;
            _inner = new CountingJob[outerCount];
            for (int i = 0; i < outerCount; i++)
            {
                _inner[i] = new CountingJob(innerCount);
            }
        }

        public override void Execute(int chunk) => ChunkRunner.Run(_inner[chunk], _innerCount);

        public void AssertEachInnerChunkRanOnce()
        {
            foreach (CountingJob inner in _inner)
            {
                inner.AssertEachChunkRanOnce();
            }
        }
    }
}
