using System.ComponentModel;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice. A unit of parallel work handed to
/// <see cref="ChunkRunner.Run"/>: <see cref="Execute"/> is called exactly once for every chunk index in
/// <c>[0, chunkCount)</c>.
/// </summary>
/// <remarks>
/// Which thread runs which chunk, and in which order, is unspecified, and chunks may run concurrently. Generated
/// kernels therefore write each chunk's partial result to its own slot and reduce the slots in a fixed order on the
/// caller afterwards, so results do not depend on the number of threads. A job object is meant to be allocated once
/// and reused: <see cref="ChunkRunner.Run"/> itself allocates nothing in steady state.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ChunkJob
{
    /// <summary>Processes one chunk.</summary>
    /// <param name="chunk">The chunk index, in <c>[0, chunkCount)</c>.</param>
    public abstract void Execute(int chunk);
}
