using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using LossDsl.Language.Builtins;

namespace LossDsl.Language.Ir;

/// <summary>The operations of the intermediate representation.</summary>
internal enum Op
{
    // Leaves
    Const, Param, Extent, Index, Load,
    // Arithmetic
    Neg, Add, Sub, Mul, Div, Pow, Min, Max,
    // Elementwise functions
    Abs, Sign, Sqrt, Exp, Expm1, Log, Log1p, Sigmoid, Softplus, Tanh, Atan, Erf, Floor, Cos, Sin, Acos, Asinh, Atanh, Log1mexp,
    // Comparisons and logic (results are Bool)
    Eq, Ne, Lt, Le, Gt, Ge, And, Or, Not,
    // Control and AD
    Select, StopGrad,
    // Reductions over bound indices
    Reduce,
    // Emission-only forms introduced by Lowering/StableForms (never differentiated or interpreted)
    /// <summary>x^y given log|x| as the third argument, so powers of one base share the logarithm.</summary>
    PowFromLog,
    // The radix select of a Kth reduction (Lowering/StableForms.Select): the order keys of the kernel's Real type, held
    // in a Real's bits (the key of x maps -NaN..+NaN onto the unsigned integers in order, every NaN to the largest).
    /// <summary>Bool: the order key of the first argument is below the key held in the bits of the second.</summary>
    KeyBelow,
    /// <summary>The key held in the first argument with the bit of the constant second argument set.</summary>
    KeyBit,
    /// <summary>The value whose order key is held in the argument.</summary>
    KeyValue,
}

/// <summary>
/// The kind of a <see cref="Op.Reduce"/>. <see cref="Kth"/> is a selection (docs/language.md §6.8): its arguments are
/// the body, the rank K (1-based, invariant in the bound indices) and, when filtered, the filter (a Bool over the bound
/// indices); its value is the K-th smallest of the kept elements in the order -0 &lt; +0 with NaN largest (NaN when K
/// is out of range). Lowering turns it into a radix select of counts for the kernels; the interpreter sorts.
/// </summary>
internal enum ReduceKind { Sum, Max, Min, Kth }

/// <summary>
/// How a max or min reduction passes its adjoint to the elements equal to its result (docs/language.md §6.3): split
/// evenly among them (the default, as torch.amax), all of it to the first in row-major order of the bound indices (as
/// torch.max(dim) and argmax), or all of it to each (the convention before tie rules). It matters to differentiation
/// only: lowering forgets it, so maxima that differ only in their rule are computed once.
/// </summary>
internal enum TieRule { Split, First, All }

/// <summary>Value types: Real (float in kernels, double in the interpreter), Int (labels, indices), Bool (masks).</summary>
internal enum DslType { Real, Int, Bool }

/// <summary>An index variable: a loop counter ranging over an extent. Ids are unique per <see cref="IrGraph"/>.</summary>
internal sealed class IndexVar
{
    public IndexVar(int id, string name, int extent) { Id = id; Name = name; Extent = extent; }
    public int Id { get; }
    /// <summary>The name from the source (for comments and generated identifiers); not unique.</summary>
    public string Name { get; }
    /// <summary>The extent symbol (see <see cref="LossModel.Extents"/>); settled by the binder's shape inference.</summary>
    public int Extent { get; internal set; }
    public override string ToString() => Name;
}

/// <summary>
/// An immutable, hash-consed IR node. Two structurally equal nodes built by the same <see cref="IrGraph"/> are the
/// same object, so common subexpressions are shared by construction and reference equality is structural equality.
/// Ids grow in creation order, so arguments always have smaller ids than their users (a topological order).
/// </summary>
internal sealed class Node
{
    internal Node(int id, Op op, DslType type, Node[] args, double value, int reference, ReduceKind reduceKind, IndexVar[] bound, int[] free, int level, int height,
        TieRule ties = TieRule.Split)
    {
        Ties = ties;
        Level = level;
        Height = height;
        Id = id; Op = op; Type = type; Args = args; Value = value; Ref = reference; ReduceKind = reduceKind; Bound = bound; Free = free;
    }

    public int Id { get; }
    public Op Op { get; }
    public DslType Type { get; }
    public Node[] Args { get; }
    /// <summary>The value of a <see cref="Op.Const"/>.</summary>
    public double Value { get; }
    /// <summary>Parameter, tensor, extent or index id for leaves.</summary>
    public int Ref { get; }
    public ReduceKind ReduceKind { get; }
    /// <summary>The tie rule of a max or min <see cref="Op.Reduce"/> (<see cref="TieRule.Split"/> for every other node).</summary>
    public TieRule Ties { get; }
    /// <summary>The indices a <see cref="Op.Reduce"/> binds.</summary>
    public IndexVar[] Bound { get; }
    /// <summary>Sorted ids of the index variables this node depends on and does not bind.</summary>
    public int[] Free { get; }
    /// <summary>Reduction nesting depth: 0 for nodes without reductions, 1 + the body's level for a reduction.</summary>
    public int Level { get; }
    /// <summary>
    /// The length of the longest path from this node to a leaf (0 for a leaf): the depth a recursive walk of it reaches.
    /// The binder keeps it under <see cref="IrGraph.MaxHeight"/> (LOSS0103), so the walks of later stages are bounded.
    /// </summary>
    public int Height { get; }

    public bool IsConst => Op == Op.Const;
    public bool IsConstValue(double v) => Op == Op.Const && Value == v;
    public bool DependsOn(int indexId) => Array.BinarySearch(Free, indexId) >= 0;

    public override string ToString() => IrPrinter.Print(this);
}

/// <summary>Small helpers on sorted index-id sets.</summary>
internal static class IndexSet
{
    public static readonly int[] Empty = Array.Empty<int>();

    public static int[] Union(int[] a, int[] b)
    {
        if (a.Length == 0) return b;
        if (b.Length == 0) return a;
        var r = new List<int>(a.Length + b.Length);
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j >= b.Length || (i < a.Length && a[i] < b[j])) r.Add(a[i++]);
            else if (i >= a.Length || b[j] < a[i]) r.Add(b[j++]);
            else { r.Add(a[i]); i++; j++; }
        }
        return r.Count == a.Length ? a : r.Count == b.Length ? b : r.ToArray();
    }

    public static int[] Remove(int[] a, IndexVar[] remove)
    {
        var r = new List<int>(a.Length);
        foreach (int x in a)
        {
            bool drop = false;
            foreach (var v in remove) if (v.Id == x) { drop = true; break; }
            if (!drop) r.Add(x);
        }
        return r.Count == a.Length ? a : r.ToArray();
    }

    public static bool IsSubset(int[] a, int[] b)
    {
        foreach (int x in a) if (Array.BinarySearch(b, x) < 0) return false;
        return true;
    }

    public static bool SetEquals(int[] a, int[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
        return true;
    }
}

/// <summary>Renders IR as the language's own syntax (used in generated-code remarks and test messages).</summary>
internal static class IrPrinter
{
    /// <summary>Names for leaves; the graph that owns the nodes installs one per print.</summary>
    public sealed class Names
    {
        public Func<int, string>? Tensor, Param, Extent, Index;
        /// <summary>A name printed instead of a value's expression (other than the printed root), or null to print it.</summary>
        public Func<Node, string?>? Value;
    }

    /// <summary>
    /// Prints <paramref name="n"/> in the language's syntax, with <paramref name="names"/> for its leaves. A value is
    /// a graph whose shared parts a plain print repeats (chained bindings double it at every step); when the plain
    /// print would exceed <see cref="TreeLimit"/> operations, every value used more than once is printed once as a
    /// binding (<c>$1 = ...; $2 = ...; expression</c>), which keeps the text as long as the graph is large.
    /// </summary>
    public static string Print(Node n, Names? names = null) => new Printer(n, names).Print();

    /// <summary>The most operations a value is printed with as one expression, its shared parts repeated.</summary>
    public const int TreeLimit = 2000;

    private static int Precedence(Node n) => n.Op switch
    {
        Op.Or => 1, Op.And => 2,
        Op.Eq or Op.Ne or Op.Lt or Op.Le or Op.Gt or Op.Ge => 3,
        Op.Add or Op.Sub => 4, Op.Mul or Op.Div => 5, Op.Neg or Op.Not => 6, Op.Pow => 7,
        _ => 8,
    };

    /// <summary>One print: the names, the root, and the indices whose names are ambiguous in it.</summary>
    private sealed class Printer
    {
        private readonly Names? _names;
        private readonly Node _root;
        private readonly HashSet<int> _ambiguous;
        private readonly StringBuilder _sb = new();

        public Printer(Node root, Names? names)
        {
            _root = root;
            _names = names;
            _ambiguous = AmbiguousIndices(root);
        }

        /// <summary>The values printed as bindings, by name (in a print too large to repeat its shared parts).</summary>
        private Dictionary<Node, string>? _shared;

        public string Print()
        {
            if (TreeSize(_root) > TreeLimit)
            {
                _shared = new Dictionary<Node, string>();
                foreach (var n in SharedValues(_root)) _shared[n] = "$" + (_shared.Count + 1);
                foreach (var kv in _shared)
                {
                    _sb.Append(kv.Value).Append(" = ");
                    Write(kv.Key, 0, definition: true);
                    _sb.Append("; ");
                }
            }
            Write(_root, 0);
            return _sb.ToString();
        }

        /// <summary>The number of operations in the plain print of <paramref name="root"/> (saturating), without recursion.</summary>
        private static long TreeSize(Node root)
        {
            var size = new Dictionary<Node, long>();
            foreach (var n in PostOrder(root))
            {
                long s = 1;
                foreach (var a in n.Args) s = Math.Min(s + size[a], long.MaxValue / 4);
                size[n] = s;
            }
            return size[root];
        }

        /// <summary>The distinct values reachable from <paramref name="root"/>, every value after its arguments.</summary>
        private static List<Node> PostOrder(Node root)
        {
            var order = new List<Node>();
            var done = new HashSet<Node>();
            var stack = new Stack<(Node Node, bool Expanded)>();
            stack.Push((root, false));
            while (stack.Count > 0)
            {
                var (n, expanded) = stack.Pop();
                if (expanded) { if (done.Add(n)) order.Add(n); continue; }
                if (done.Contains(n)) continue;
                stack.Push((n, true));
                for (int k = n.Args.Length - 1; k >= 0; k--) if (!done.Contains(n.Args[k])) stack.Push((n.Args[k], false));
            }
            return order;
        }

        /// <summary>The operations (not leaves) that more than one operation reads, arguments first.</summary>
        private static List<Node> SharedValues(Node root)
        {
            var order = PostOrder(root);
            var uses = new Dictionary<Node, int>();
            foreach (var n in order) foreach (var a in n.Args) uses[a] = uses.TryGetValue(a, out int u) ? u + 1 : 1;
            return order.Where(n => n != root && n.Args.Length > 0 && uses.TryGetValue(n, out int u) && u > 1).ToList();
        }

        private void Write(Node n, int parent, bool definition = false)
        {
            if (!definition && _shared is not null && _shared.TryGetValue(n, out var sharedName))
            {
                _sb.Append(sharedName);
                return;
            }
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            if (!definition && !ReferenceEquals(n, _root) && _names?.Value?.Invoke(n) is { } name)
            {
                _sb.Append(name);
                return;
            }
            int p = Precedence(n);
            bool paren = p < parent;
            if (paren) _sb.Append('(');
            switch (n.Op)
            {
                case Op.Const: _sb.Append(FormatConst(n.Value)); break;
                case Op.Param: _sb.Append(_names?.Param?.Invoke(n.Ref) ?? "p" + n.Ref); break;
                case Op.Extent: _sb.Append('#').Append(_names?.Extent?.Invoke(n.Ref) ?? "E" + n.Ref); break;
                case Op.Index: _sb.Append(VarName(n.Ref, IndexName(n.Ref))); break;
                case Op.Load:
                    _sb.Append(_names?.Tensor?.Invoke(n.Ref) ?? "t" + n.Ref).Append('[');
                    WriteList(n.Args);
                    _sb.Append(']');
                    break;
                case Op.Neg: _sb.Append('-'); Write(n.Args[0], 7); break;
                case Op.Not: _sb.Append('!'); Write(n.Args[0], 7); break;
                case Op.Add: case Op.Sub: case Op.Mul: case Op.Div: case Op.Pow:
                case Op.Eq: case Op.Ne: case Op.Lt: case Op.Le: case Op.Gt: case Op.Ge: case Op.And: case Op.Or:
                    Write(n.Args[0], n.Op == Op.Pow ? p + 1 : p);
                    _sb.Append(' ').Append(Symbol(n.Op)).Append(' ');
                    Write(n.Args[1], n.Op == Op.Pow ? p : p + 1);
                    break;
                case Op.Reduce:
                    _sb.Append(n.ReduceKind switch { ReduceKind.Sum => "sum", ReduceKind.Max => "max", ReduceKind.Kth => "kth", _ => "min" }).Append('[');
                    for (int i = 0; i < n.Bound.Length; i++) { if (i > 0) _sb.Append(", "); _sb.Append(VarName(n.Bound[i].Id, n.Bound[i].Name)); }
                    if (n.Args.Length > 2) { _sb.Append(" | "); Write(n.Args[2], 0); }
                    if (n.ReduceKind == ReduceKind.Kth) { _sb.Append("; k = "); Write(n.Args[1], 0); }
                    if (n.Ties != TieRule.Split) _sb.Append(n.ReduceKind == ReduceKind.Kth ? ", ties = " : "; ties = ").Append(n.Ties == TieRule.First ? "first" : "all");
                    _sb.Append("](");
                    Write(n.Args[0], 0);
                    _sb.Append(')');
                    break;
                default:
                    _sb.Append(FunctionName(n.Op)).Append('(');
                    WriteList(n.Args);
                    _sb.Append(')');
                    break;
            }
            if (paren) _sb.Append(')');
        }

        private void WriteList(Node[] items)
        {
            for (int i = 0; i < items.Length; i++)
            {
                if (i > 0) _sb.Append(", ");
                Write(items[i], 0);
            }
        }

        private string IndexName(int id) => _names?.Index?.Invoke(id) ?? "i" + id;

        /// <summary>An index's name, with its id appended when another index of the same name occurs in the expression.</summary>
        private string VarName(int id, string name) => _ambiguous.Contains(id) ? name + id : name;

        /// <summary>Ids of the indices in <paramref name="root"/> that share their name with a different index there.</summary>
        private HashSet<int> AmbiguousIndices(Node root)
        {
            var names = new Dictionary<string, HashSet<int>>();
            var seen = new HashSet<Node>();
            var stack = new Stack<Node>();
            stack.Push(root);
            void Add(int id, string name) { if (!names.TryGetValue(name, out var ids)) names[name] = ids = new HashSet<int>(); ids.Add(id); }
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                if (!seen.Add(n)) continue;
                if (n.Op == Op.Index) Add(n.Ref, IndexName(n.Ref));
                foreach (var b in n.Bound) Add(b.Id, b.Name);
                foreach (var a in n.Args) stack.Push(a);
            }
            var result = new HashSet<int>();
            foreach (var ids in names.Values) if (ids.Count > 1) result.UnionWith(ids);
            return result;
        }
    }

    public static string FormatConst(double v)
    {
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        return v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The operator symbol of a binary operation (the spelling in <see cref="BuiltinTable.Operations"/>).</summary>
    public static string Symbol(Op op) => BuiltinTable.Rule(op).Spelling;

    /// <summary>The function name of an operation (the spelling in <see cref="BuiltinTable.Operations"/>).</summary>
    public static string FunctionName(Op op) => BuiltinTable.Rule(op).Spelling;
}
