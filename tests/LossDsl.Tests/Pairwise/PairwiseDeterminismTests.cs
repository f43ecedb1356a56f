using System;
using System.Linq;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Threading;
using LossDsl.Threading;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Pairwise;

/// <summary>
/// The pairwise losses give the same bits for any number of threads: at 600 rows (9 row blocks of a pair pass, 3 of a
/// strip) and several column tiles of 128 (so several slots of a strip), the loss and every gradient at 1, 2, 3 and 4 threads are identical to a single-threaded call. Runs in the
/// LossParallel collection, alone, since the degree of parallelism is process-wide.
/// </summary>
[Collection("LossParallel")]
public class PairwiseDeterminismTests
{
    public static TheoryData<PairwiseLossTests.Case> AllCases() => new(PairwiseLossTests.Cases);

    [Theory]
    [MemberData(nameof(AllCases))]
    public void ResultsAreBitwiseIdenticalForAnyNumberOfThreads(PairwiseLossTests.Case c)
    {
        var method = LossInvoker.Find(typeof(PairwiseLosses), c.Method);
        var invoker = LossInvoker.For(method);
        var inputs = c.Inputs(new Random(5), 600);
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            object[]? reference = null;
            float referenceLoss = 0;
            foreach (int degree in new[] { 1, 2, 3, 4 })
            {
                LossParallel.MaxDegreeOfParallelism = degree;
                var arguments = KernelArguments(method, inputs);
                float loss = invoker.Invoke(arguments);
                if (reference is null)
                {
                    reference = arguments;
                    referenceLoss = loss;
                    continue;
                }
                Assert.Equal(BitConverter.SingleToInt32Bits(referenceLoss), BitConverter.SingleToInt32Bits(loss));
                var ps = method.GetParameters();
                for (int k = 0; k < ps.Length; k++)
                    if (ps[k].ParameterType == typeof(Span<float>))
                        Assert.True(((float[])reference[k]).SequenceEqual((float[])arguments[k]), $"{c.Method}: {ps[k].Name} differs at {degree} threads");
            }
        }
        finally
        {
            LossParallel.MaxDegreeOfParallelism = saved;
        }
    }
}
