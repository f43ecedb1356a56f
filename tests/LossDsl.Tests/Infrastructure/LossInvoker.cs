using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using LossDsl.Interpretation;

namespace LossDsl.Tests.Infrastructure;

/// <summary>
/// Calls a generated loss method with arrays for its span parameters (reflection cannot pass spans, so a small
/// dynamic method converts float[]/double[]/int[] to ReadOnlySpan/Span and calls it).
/// </summary>
public sealed class LossInvoker
{
    private readonly Func<object[], double> _call;

    private LossInvoker(MethodInfo method, Func<object[], double> call) { Method = method; _call = call; }

    public MethodInfo Method { get; }
    public ParameterInfo[] Parameters => Method.GetParameters();

    /// <summary>Calls a float loss (a double loss's result rounded to float).</summary>
    public float Invoke(params object[] args) => (float)_call(args);

    /// <summary>Calls the loss and returns its result widened to double (exact for a float loss).</summary>
    public double InvokeDouble(params object[] args) => _call(args);

    public static LossInvoker For(MethodInfo method)
    {
        var dm = new DynamicMethod("Invoke_" + method.Name, typeof(double), new[] { typeof(object[]) }, typeof(LossInvoker).Module, skipVisibility: true);
        var il = dm.GetILGenerator();
        var ps = method.GetParameters();
        for (int i = 0; i < ps.Length; i++)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelem_Ref);
            var t = ps[i].ParameterType;
            if (t == typeof(ReadOnlySpan<float>)) { il.Emit(OpCodes.Castclass, typeof(float[])); il.Emit(OpCodes.Call, t.GetMethod("op_Implicit", new[] { typeof(float[]) })!); }
            else if (t == typeof(ReadOnlySpan<int>)) { il.Emit(OpCodes.Castclass, typeof(int[])); il.Emit(OpCodes.Call, t.GetMethod("op_Implicit", new[] { typeof(int[]) })!); }
            else if (t == typeof(Span<float>)) { il.Emit(OpCodes.Castclass, typeof(float[])); il.Emit(OpCodes.Call, t.GetMethod("op_Implicit", new[] { typeof(float[]) })!); }
            else if (t == typeof(ReadOnlySpan<double>) || t == typeof(Span<double>)) { il.Emit(OpCodes.Castclass, typeof(double[])); il.Emit(OpCodes.Call, t.GetMethod("op_Implicit", new[] { typeof(double[]) })!); }
            else if (t == typeof(float) || t == typeof(double) || t == typeof(int)) il.Emit(OpCodes.Unbox_Any, t);
            else throw new NotSupportedException(t.ToString());
        }
        il.Emit(OpCodes.Call, method);
        if (method.ReturnType == typeof(float)) il.Emit(OpCodes.Conv_R8);
        else if (method.ReturnType != typeof(double)) throw new NotSupportedException(method.ReturnType.ToString());
        il.Emit(OpCodes.Ret);
        return new LossInvoker(method, (Func<object[], double>)dm.CreateDelegate(typeof(Func<object[], double>)));
    }

    /// <summary>The interpreter declaration matching a generated method's parameters.</summary>
    public static LossParameterDeclaration[] Declarations(MethodInfo method) => method.GetParameters().Select(p =>
    {
        var t = p.ParameterType;
        var kind = t == typeof(ReadOnlySpan<float>) || t == typeof(ReadOnlySpan<double>) ? LossParameterKind.Tensor
            : t == typeof(ReadOnlySpan<int>) ? LossParameterKind.Labels
            : t == typeof(Span<float>) || t == typeof(Span<double>) ? LossParameterKind.Gradient
            : t == typeof(int) ? LossParameterKind.Int
            : LossParameterKind.Real;
        return new LossParameterDeclaration(p.Name!, kind);
    }).ToArray();

    /// <summary>The expression of a [GeneratedLoss] method.</summary>
    public static string ExpressionOf(MethodInfo method) =>
        (string)method.GetCustomAttributesData().First(a => a.AttributeType.Name == "GeneratedLossAttribute").ConstructorArguments[0].Value!;

    /// <summary>The user's [GeneratedLoss] method (the partial one with gradients) among a type's overloads.</summary>
    public static MethodInfo Find(Type type, string name) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == name && m.GetCustomAttributesData().Any(a => a.AttributeType.Name == "GeneratedLossAttribute"));

    /// <summary>The generated overload with the given parameter count (forward-only or with upstream gradient).</summary>
    public static MethodInfo FindOverload(Type type, string name, Func<ParameterInfo[], bool> predicate) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static).Single(m => m.Name == name && predicate(m.GetParameters()));
}
