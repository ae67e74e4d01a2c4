using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace QSpin.Analyzers;

/// <summary>
/// The fix for QSPIN001: <c>lock (x) body</c> becomes <c>using (x.EnterScope()) body</c>, which takes
/// the queued lock. Offered only when the lock type has an EnterScope() without arguments. Fix all
/// of a lock's lock statements together: a lock statement left over excludes only the other lock
/// statements, not the QSpinLock's users.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LockStatementCodeFix)), Shared]
public sealed class LockStatementCodeFix : CodeFixProvider
{
    private const string Title = "Use 'using (x.EnterScope())'";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Rules.LockStatement.Id];

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<LockStatementSyntax>() is not { } statement) continue;
            var types = LockTypes.Find(model.Compilation);
            if (types?.Of(model.GetTypeInfo(statement.Expression, context.CancellationToken).Type) is not { HasParameterlessEnterScope: true }) continue;
            context.RegisterCodeFix(
                CodeAction.Create(Title, cancel => Fix(context.Document, statement, cancel), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> Fix(Document document, LockStatementSyntax statement, CancellationToken cancel)
    {
        var root = await document.GetSyntaxRootAsync(cancel).ConfigureAwait(false);
        if (root is null) return document;
        var target = statement.Expression.WithoutTrivia();
        // x.EnterScope() binds tighter than most expressions: (a ?? b).EnterScope(), not a ?? b.EnterScope().
        if (target is not (IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
            or ThisExpressionSyntax or ParenthesizedExpressionSyntax or GenericNameSyntax))
            target = SyntaxFactory.ParenthesizedExpression(target);
        var enterScope = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, target, SyntaxFactory.IdentifierName("EnterScope")));
        var replacement = SyntaxFactory.UsingStatement(
                SyntaxFactory.Token(statement.LockKeyword.LeadingTrivia, SyntaxKind.UsingKeyword, statement.LockKeyword.TrailingTrivia),
                statement.OpenParenToken,
                declaration: null,
                expression: enterScope.WithTriviaFrom(statement.Expression),
                statement.CloseParenToken,
                statement.Statement)
            .WithAttributeLists(statement.AttributeLists);
        return document.WithSyntaxRoot(root.ReplaceNode(statement, replacement));
    }
}
