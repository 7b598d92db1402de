using System.Text;
using XcNotebooks.Core;

namespace XcNotebooks.Hierarchies;

public sealed partial class LabelHierarchy
{
    /// <summary>
    /// The hierarchy in Graphviz DOT: labels as ellipses, other nodes as small boxes, edges parent -> child,
    /// children kept in order (ordering=out). Render with e.g. `dot -Tsvg hierarchy.dot -o hierarchy.svg`.
    /// </summary>
    public string ToDot(string graphName = "hierarchy")
    {
        var dot = new StringBuilder();
        dot.Append("digraph ").Append(Quote(graphName)).AppendLine(" {");
        dot.AppendLine("  ordering=out;");
        dot.AppendLine("  node [fontsize=10];");
        foreach (var v in _preOrder)
        {
            dot.Append("  n").Append(v).Append(" [label=").Append(Quote(NodeName(v)));
            dot.AppendLine(IsLabel(v) ? ", shape=ellipse];" : ", shape=box, style=rounded, color=gray40];");
        }
        foreach (var v in _preOrder)
            foreach (var c in _children[v]) dot.Append("  n").Append(v).Append(" -> n").Append(c).AppendLine(";");
        dot.AppendLine("}");
        return dot.ToString();
    }

    /// <summary>Writes <see cref="ToDot"/> to <paramref name="path"/> atomically.</summary>
    public void SaveDot(string path, string graphName = "hierarchy") =>
        InputFile.WriteTextAtomic(path, w => w.Write(ToDot(graphName)));

    /// <summary>A DOT double-quoted string: backslashes and quotes escaped, line breaks as \n.</summary>
    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", "").Replace("\n", "\\n") + "\"";
}
