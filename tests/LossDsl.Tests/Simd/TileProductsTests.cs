using System;
using System.Runtime.Intrinsics;
using LossDsl.Internals;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Simd;

/// <summary>
/// The tile products of pair passes against a float64 reference, at every width, at sizes that are not multiples of
/// the register block (6 rows by 2 vectors) or of the vector width: packing pads with zeros, contraction and
/// accumulation agree with the reference to float rounding, accumulation adds to what is there, and calls are
/// deterministic.
/// </summary>
public unsafe class TileProductsTests
{
    private delegate void Contract(float* a, int lda, int rows, float* panel, int width, int depth, float* c, int ldc);
    private delegate void Accumulate(float* g, int ldg, int rows, int count, float* q, int ldq, int depth, float* r, int ldr);

    private static (Contract, Accumulate, int Lanes) Kernels(int width) => width switch
    {
        512 => (TileProducts.Contract<Simd512, Vector512<float>>, TileProducts.AccumulateProduct<Simd512, Vector512<float>>, 16),
        256 => (TileProducts.Contract<Simd256, Vector256<float>>, TileProducts.AccumulateProduct<Simd256, Vector256<float>>, 8),
        128 => (TileProducts.Contract<Simd128, Vector128<float>>, TileProducts.AccumulateProduct<Simd128, Vector128<float>>, 4),
        _ => (TileProducts.Contract<Scalar, float>, TileProducts.AccumulateProduct<Scalar, float>, 1),
    };

    [Theory]
    [MemberData(nameof(SimdWidths.Data), MemberType = typeof(SimdWidths))]
    public void ContractionOfAPackedPanelMatchesTheReference(int width)
    {
        var (contract, _, lanes) = Kernels(width);
        var rng = new Random(width);
        foreach (var (rows, columns, depth) in new[] { (1, 1, 1), (3, 5, 7), (4, 32, 16), (7, 65, 13), (13, 33, 129), (64, 128, 256), (5, 3, 0) })
        {
            int multiple = Math.Max(TileProducts.PanelStrip, 2 * lanes);
            int panelWidth = (columns + multiple - 1) / multiple * multiple;
            var a = LossCheck.Normal(rng, rows * depth);
            var b = LossCheck.Normal(rng, (columns + 3) * depth); // rows 3.. of b are the tile
            var panel = new float[Math.Max(1, panelWidth * depth)];
            Array.Fill(panel, float.NaN);
            var c = new float[rows * panelWidth];
            var again = new float[rows * panelWidth];
            fixed (float* pa = a, pb = b, pp = panel, pc = c, pg = again)
            {
                TileProducts.PackPanel(pb, depth, 3, columns, depth, pp, panelWidth);
                contract(pa, depth, rows, pp, panelWidth, depth, pc, panelWidth);
                contract(pa, depth, rows, pp, panelWidth, depth, pg, panelWidth);
            }
            // Strips of 16 columns, each depth-major; the columns past the tile are zero.
            for (int d = 0; d < depth; d++)
                for (int j = 0; j < panelWidth; j++)
                    Assert.Equal(j < columns ? b[(3 + j) * depth + d] : 0f, panel[j / 16 * 16 * depth + d * 16 + j % 16]);
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < panelWidth; j++)
                {
                    double expected = 0, magnitude = 0;
                    if (j < columns)
                        for (int d = 0; d < depth; d++) { expected += (double)a[i * depth + d] * b[(3 + j) * depth + d]; magnitude += Math.Abs((double)a[i * depth + d] * b[(3 + j) * depth + d]); }
                    float actual = c[i * panelWidth + j];
                    Assert.True(Math.Abs(actual - expected) <= 1e-6 * magnitude + 1e-30, $"width {width}, {rows}x{columns}x{depth}: c[{i}, {j}] = {actual} vs {expected}");
                    Assert.Equal(actual, again[i * panelWidth + j]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(SimdWidths.Data), MemberType = typeof(SimdWidths))]
    public void AccumulatedProductsAddToTheAccumulators(int width)
    {
        var (_, accumulate, _) = Kernels(width);
        var rng = new Random(100 + width);
        foreach (var (rows, count, depth) in new[] { (1, 1, 1), (3, 5, 7), (4, 32, 16), (7, 65, 13), (13, 33, 129), (64, 128, 256), (6, 0, 9) })
        {
            int ldg = count + 3;
            var g = LossCheck.Normal(rng, rows * ldg);
            var q = LossCheck.Normal(rng, (count + 2) * depth);
            var r = LossCheck.Normal(rng, rows * depth);
            var start = (float[])r.Clone();
            fixed (float* pg = g, pq = q, pr = r)
                accumulate(pg, ldg, rows, count, pq + 2 * depth, depth, depth, pr, depth);
            for (int i = 0; i < rows; i++)
            {
                for (int e = 0; e < depth; e++)
                {
                    double expected = start[i * depth + e], magnitude = Math.Abs(expected);
                    for (int j = 0; j < count; j++)
                    {
                        double term = (double)g[i * ldg + j] * q[(2 + j) * depth + e];
                        expected += term;
                        magnitude += Math.Abs(term);
                    }
                    float actual = r[i * depth + e];
                    Assert.True(Math.Abs(actual - expected) <= 1e-6 * magnitude + 1e-30, $"width {width}, {rows}x{count}x{depth}: r[{i}, {e}] = {actual} vs {expected}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(SimdWidths.Data), MemberType = typeof(SimdWidths))]
    public void TransposedProductsAddToTheAccumulators(int width)
    {
        Accumulate accumulate = width switch
        {
            512 => TileProducts.AccumulateTransposedProduct<Simd512, Vector512<float>>,
            256 => TileProducts.AccumulateTransposedProduct<Simd256, Vector256<float>>,
            128 => TileProducts.AccumulateTransposedProduct<Simd128, Vector128<float>>,
            _ => TileProducts.AccumulateTransposedProduct<Scalar, float>,
        };
        var rng = new Random(200 + width);
        foreach (var (rows, count, depth) in new[] { (1, 1, 1), (3, 5, 7), (4, 32, 16), (7, 65, 13), (13, 33, 129), (72, 128, 256), (6, 0, 9), (0, 7, 5) })
        {
            int ldg = count + 3;
            var g = LossCheck.Normal(rng, Math.Max(1, rows * ldg));
            var q = LossCheck.Normal(rng, (rows + 2) * depth);
            var r = LossCheck.Normal(rng, count * depth);
            var start = (float[])r.Clone();
            var again = (float[])r.Clone();
            fixed (float* pg = g, pq = q, pr = r, pa = again)
            {
                accumulate(pg, ldg, rows, count, pq + 2 * depth, depth, depth, pr, depth);
                accumulate(pg, ldg, rows, count, pq + 2 * depth, depth, depth, pa, depth);
            }
            for (int j = 0; j < count; j++)
            {
                for (int e = 0; e < depth; e++)
                {
                    double expected = start[j * depth + e], magnitude = Math.Abs(expected);
                    for (int i = 0; i < rows; i++)
                    {
                        double term = (double)g[i * ldg + j] * q[(2 + i) * depth + e];
                        expected += term;
                        magnitude += Math.Abs(term);
                    }
                    float actual = r[j * depth + e];
                    Assert.True(Math.Abs(actual - expected) <= 1e-6 * magnitude + 1e-30, $"width {width}, {rows}x{count}x{depth}: r[{j}, {e}] = {actual} vs {expected}");
                    Assert.Equal(actual, again[j * depth + e]);
                }
            }
        }
    }

    [Fact]
    public void PartsAreSummedInOrder()
    {
        var rng = new Random(7);
        foreach (var (parts, length) in new[] { (1, 1), (3, 7), (16, 65), (5, 0) })
        {
            int stride = length + 5;
            var first = LossCheck.Normal(rng, Math.Max(1, parts * stride));
            var destination = new float[Math.Max(1, length)];
            fixed (float* pf = first, pd = destination)
                TileProducts.SumParts(pf, stride, parts, length, pd);
            for (int e = 0; e < length; e++)
            {
                float expected = first[e];
                for (int k = 1; k < parts; k++) expected += first[k * stride + e]; // the same order, so the same rounding
                Assert.Equal(expected, destination[e]);
            }
        }
    }

    [Fact]
    public void APanelNarrowerThanItsTileIsRefused()
    {
        var m = new float[4];
        var panel = new float[4];
        fixed (float* pm = m, pp = panel)
        {
            float* source = pm, destination = pp;
            Assert.Throws<ArgumentOutOfRangeException>(() => TileProducts.PackPanel(source, 1, 0, 5, 1, destination, 4));
        }
    }
}
