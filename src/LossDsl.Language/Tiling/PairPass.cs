using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Scheduling;

namespace LossDsl.Language.Tiling;

/// <summary>
/// A contraction of a pair space: <c>C(Row, Column) = sum over Feature of RowOperand(Row, Feature) *
/// ColumnOperand(Column, Feature)</c>, a similarity or a logit. A pair pass computes it tile by tile as a matrix
/// product and never stores it whole.
/// </summary>
internal sealed class Contraction
{
    public Contraction(Node value, IndexVar feature, Node rowOperand, Node columnOperand)
    {
        Value = value; Feature = feature; RowOperand = rowOperand; ColumnOperand = columnOperand;
    }

    /// <summary>The reduction node, written in the pass's row and column indices.</summary>
    public Node Value { get; }
    /// <summary>The index the contraction sums over (its bound index).</summary>
    public IndexVar Feature { get; }
    /// <summary>The factors that depend on the row index (and the feature).</summary>
    public Node RowOperand { get; }
    /// <summary>The factors that depend on the column index (and the feature).</summary>
    public Node ColumnOperand { get; }
    /// <summary>Where the row operand's rows are (set by the scheduler).</summary>
    public OperandSource? RowSource { get; set; }
    /// <summary>Where the column operand's rows are (set by the scheduler).</summary>
    public OperandSource? ColumnSource { get; set; }
}

/// <summary>
/// The rows of an operand of a pair space, row-major with the feature axis last: an input tensor as it is, or a
/// scratch buffer the scheduler fills with the operand's value (a normalized embedding, say) in a pass before.
/// </summary>
internal sealed class OperandSource
{
    public OperandSource(TensorInfo? tensor, ScratchBuffer? buffer) { Tensor = tensor; Buffer = buffer; }
    public TensorInfo? Tensor { get; }
    public ScratchBuffer? Buffer { get; }
}

/// <summary>
/// A back contraction: <c>R(Row, Feature) = sum over Column of Weight(Row, Column) * Operand(Column, Feature)</c>.
/// It is how the gradient of a contraction reaches its operands (dA = G B, dB = G^T A): a pair pass stores the weights
/// of each tile and adds the tile's product with the operand's rows to the row block's accumulators.
/// </summary>
internal sealed class BackContraction
{
    public BackContraction(Node value, Node weight, Node operand, IndexVar feature)
    {
        Value = value; Weight = weight; Operand = operand; Feature = feature;
    }

    /// <summary>The reduction node, written in the pass's row index and <see cref="Feature"/>.</summary>
    public Node Value { get; }
    /// <summary>The pair-space weight G(Row, Column).</summary>
    public Node Weight { get; }
    /// <summary>The column operand Q(Column, Feature).</summary>
    public Node Operand { get; }
    public IndexVar Feature { get; }
    /// <summary>Where the operand's rows are (set by the scheduler).</summary>
    public OperandSource? Source { get; set; }
    /// <summary>
    /// The weight tile that holds <see cref="Weight"/>: back contractions of one pass with the same weight share a tile
    /// (a strip's row and column back contractions of a softmax usually do), and only the first stores it.
    /// </summary>
    public int Tile { get; set; }
}

/// <summary>What the scheduler needs of a pass over a pair space, tiled (<see cref="PairPassStmt"/>) or in strips (<see cref="StripPassStmt"/>).</summary>
internal interface IPairPass
{
    IndexVar Row { get; }
    IndexVar Column { get; }
    List<Contraction> Contractions { get; }
    /// <summary>Every statement the pass evaluates per pair.</summary>
    IEnumerable<Stmt> Statements { get; }
    /// <summary>Every back contraction, with the index its operand's rows are indexed by.</summary>
    IEnumerable<(BackContraction Back, IndexVar OperandRows)> Backs { get; }
    Dictionary<Node, ScratchBuffer> Outputs { get; }
}

/// <summary>
/// A pass over a pair space, row block by row block, column tile by column tile (the tiled schedule of FlashAttention
/// and Inf-CL): for each tile it computes the contractions as tile products, evaluates <see cref="Body"/> for every
/// pair of the tile (accumulating the row statistics, carried across the column tiles, and storing the weights of the
/// back contractions into tiles), then adds each weight tile times its operand's rows to the back contractions'
/// accumulators. Every result is per row (a statistic [Row], or a back contraction [Row, Feature]) and goes to a
/// scratch buffer; nothing of size rows x columns is stored.
/// </summary>
internal sealed class PairPassStmt : Stmt, IPairPass
{
    public PairPassStmt(IndexVar row, IndexVar column, List<Contraction> contractions, List<Node> statistics,
        List<BackContraction> backContractions, List<Stmt> body)
    {
        Row = row; Column = column; Contractions = contractions; Statistics = statistics; BackContractions = backContractions; Body = body;
    }

    /// <summary>The index whose blocks run in parallel.</summary>
    public IndexVar Row { get; }
    /// <summary>The index the pass sweeps in tiles for every row block.</summary>
    public IndexVar Column { get; }
    public List<Contraction> Contractions { get; }
    /// <summary>Reductions over <see cref="Column"/> with <see cref="Row"/> free (a row's logsumexp, masked sums, counts,
    /// hardest positives and negatives).</summary>
    public List<Node> Statistics { get; }
    public List<BackContraction> BackContractions { get; }
    /// <summary>
    /// What one pair (Row, Column) contributes: <see cref="AccumulateStmt"/> and <see cref="OnlineSumExpStmt"/> into the
    /// statistics, and a <see cref="StoreStmt"/> of each back contraction's weight (its target is
    /// <see cref="StoreTarget.Tile"/>).
    /// </summary>
    public List<Stmt> Body { get; }
    /// <summary>The scratch buffer of each statistic and back contraction (keyed by its node).</summary>
    public Dictionary<Node, ScratchBuffer> Outputs { get; } = new();

    public IEnumerable<Stmt> Statements => Body;
    public IEnumerable<(BackContraction Back, IndexVar OperandRows)> Backs => BackContractions.Select(b => (b, Column));
}

/// <summary>
/// A strip pass: a pair space's statistics and its back contractions of both sides from one computation of each tile
/// (3 matrix products where separate passes take 5: the statistics' tiles, and the tiles again for each side). Row
/// blocks run one after the other; within a block, the column tiles run in parallel, first for the statistics
/// (<see cref="StatisticsBody"/>; each tile's contractions are kept for the block, and each of a fixed number of
/// slots keeps partial statistics over its tiles, combined in slot order), then for the weights
/// (<see cref="WeightsBody"/>): a row back contraction gets one partial per slot, combined in slot order; a column
/// back contraction (<c>R(Column, e) = sum over Row of G(Row, Column) * P(Row, e)</c>) accumulates into its rows of
/// the tile, which only that tile's slot writes. It applies where every weight reads the statistics at the row, so
/// the block's statistics are all it needs.
/// </summary>
internal sealed class StripPassStmt : Stmt, IPairPass
{
    public StripPassStmt(IndexVar row, IndexVar column, List<Contraction> contractions, List<Node> statistics, List<Stmt> statisticsBody,
        List<BackContraction> rowBacks, List<BackContraction> columnBacks, List<Stmt> weightsBody)
    {
        Row = row; Column = column; Contractions = contractions; Statistics = statistics; StatisticsBody = statisticsBody;
        RowBacks = rowBacks; ColumnBacks = columnBacks; WeightsBody = weightsBody;
    }

    public IndexVar Row { get; }
    public IndexVar Column { get; }
    public List<Contraction> Contractions { get; }
    public List<Node> Statistics { get; }
    /// <summary>Accumulations of the statistics over a tile's pairs.</summary>
    public List<Stmt> StatisticsBody { get; }
    /// <summary>Back contractions over the columns, with the row free: <c>R(Row, e) = sum over Column of G * Q(Column, e)</c>.</summary>
    public List<BackContraction> RowBacks { get; }
    /// <summary>
    /// Back contractions over the rows, with the column free: their <see cref="BackContraction.Value"/> is the
    /// reduction as the tiling stage found it, their <see cref="BackContraction.Weight"/> is written in
    /// (<see cref="Row"/>, <see cref="Column"/>), and their <see cref="BackContraction.Operand"/> in (<see cref="Row"/>, e).
    /// </summary>
    public List<BackContraction> ColumnBacks { get; }
    /// <summary>Stores of each distinct weight into its tile (<see cref="BackContraction.Tile"/>).</summary>
    public List<Stmt> WeightsBody { get; }
    /// <summary>How many weight tiles a slot holds: one per distinct weight.</summary>
    public int WeightTiles => RowBacks.Concat(ColumnBacks).Select(b => b.Tile).DefaultIfEmpty(-1).Max() + 1;
    /// <summary>The scratch buffer of each statistic and back contraction (keyed by its node).</summary>
    public Dictionary<Node, ScratchBuffer> Outputs { get; } = new();

    public IEnumerable<Stmt> Statements => StatisticsBody.Concat(WeightsBody);
    public IEnumerable<(BackContraction Back, IndexVar OperandRows)> Backs => RowBacks.Select(b => (b, Column)).Concat(ColumnBacks.Select(b => (b, Row)));
}
