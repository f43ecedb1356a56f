using System.Linq;
using System.Text;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Scheduling;

/// <summary>Prints a loop program as indented pseudo-code (for generated remarks, tests and debugging).</summary>
internal static class LoopProgramPrinter
{
    public static string Print(LossModel model, LoopProgram program)
    {
        var sb = new StringBuilder();
        foreach (var b in program.Buffers)
            sb.Append("buffer ").Append(b.Id).Append('[').Append(string.Join(", ", b.Axes.Select(a => a.Name))).Append("] = ").Append(model.Print(b.Reduce)).Append('\n');
        int pass = 0;
        foreach (var s in program.Passes)
        {
            sb.Append("pass ").Append(++pass).Append(":\n");
            Write(sb, model, s, 1);
        }
        sb.Append("loss = ").Append(model.Print(program.Loss)).Append('\n');
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, LossModel model, Stmt s, int depth)
    {
        string pad = new(' ', depth * 2);
        switch (s)
        {
            case LoopStmt l:
                sb.Append(pad).Append("for ").Append(l.Var.Name).Append('#').Append(l.Var.Id).Append(" < ").Append(model.Extents[l.Var.Extent].Name);
                if (l.Completes.Count > 0) sb.Append("  completes ").Append(string.Join("; ", l.Completes.Select(r => model.Print(r))));
                sb.Append('\n');
                foreach (var b in l.Body) Write(sb, model, b, depth + 1);
                break;
            case AccumulateStmt a:
                sb.Append(pad).Append("accumulate ").Append(model.Print(a.Reduce)).Append('\n');
                break;
            case OnlineSumExpStmt o:
                sb.Append(pad).Append("online ").Append(model.Print(o.Max)).Append(" with ").Append(model.Print(o.Sum)).Append('\n');
                break;
            case StoreStmt st:
                sb.Append(pad).Append("store ").Append(st.Target.GradientOf is { } t ? "d" + t.Name : "buffer")
                  .Append('[').Append(string.Join(", ", st.Indices.Select(i => i.Name + "#" + i.Id))).Append("] = ").Append(model.Print(st.Value)).Append('\n');
                break;
        }
    }
}
