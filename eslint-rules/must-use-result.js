// tokendeck/must-use-result: a call whose (awaited) value is a Result must not be dropped. Flags a
// Result-returning call used as a statement: `f()`, `await f()`, `void f()`, `void (await f())`,
// `f().catch(log)`, `a && f()`, `c ? f() : g()`. Needs type information (parserServices.program).
//
// A Result is recognised by its shape, not its name: after awaiting and dropping null, undefined
// and void, every member of the union has an `ok` property typed `true` or `false`, and at least
// one has `ok: false` (so the call can fail). That is what src/shared/result.ts declares
// (`Success<T> | Failure`), and the shape survives where the alias does not: inferred return types
// (`Promise<Success<X> | Failure>` has no `Result` alias left), generic instantiation, and the
// structurally equal types zod infers for IPC responses in the renderer.
import ts from 'typescript'

const NOTHING = ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void

/** Which calls a statement drops: the call under void/await/!/?., both sides of a branch, ... */
function droppedCalls(node, out = []) {
  switch (node.type) {
    case 'CallExpression':
      out.push(node)
      break
    case 'ChainExpression':
    case 'TSNonNullExpression':
      droppedCalls(node.expression, out)
      break
    case 'AwaitExpression':
      droppedCalls(node.argument, out)
      break
    case 'UnaryExpression':
      if (node.operator === 'void') droppedCalls(node.argument, out)
      break
    case 'LogicalExpression':
      droppedCalls(node.right, out)
      break
    case 'ConditionalExpression':
      droppedCalls(node.consequent, out)
      droppedCalls(node.alternate, out)
      break
    case 'SequenceExpression':
      for (const e of node.expressions) droppedCalls(e, out)
      break
    default:
      break
  }
  return out
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow dropping the Result of a call (handle its failure instead).',
    },
    messages: {
      ignored:
        'The Result of {{name}} is ignored: handle its failure (a dropped Result can hide a failed write).',
    },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices
    if (!services?.program || !services.esTreeNodeToTSNodeMap) {
      throw new Error(
        'tokendeck/must-use-result needs type information: set parserOptions.projectService.',
      )
    }
    const checker = services.program.getTypeChecker()

    const okOf = (member) => {
      const prop = checker.getPropertyOfType(member, 'ok')
      if (!prop) return null
      const type = checker.getTypeOfSymbol(prop)
      if (!(type.flags & ts.TypeFlags.BooleanLiteral)) return null
      return checker.typeToString(type) // 'true' | 'false'
    }

    const isResult = (type) => {
      if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false
      const awaited = checker.getAwaitedType(type) ?? type
      const members = (awaited.isUnion() ? awaited.types : [awaited]).filter(
        (t) => !(t.flags & NOTHING),
      )
      if (members.length === 0) return false
      const oks = members.map(okOf)
      return oks.every((o) => o !== null) && oks.includes('false')
    }

    const nameOf = (call) => {
      const text = context.sourceCode.getText(call.callee).replace(/\s+/g, ' ')
      return text.length > 60 ? `${text.slice(0, 57)}...` : text
    }

    return {
      ExpressionStatement(statement) {
        for (const call of droppedCalls(statement.expression)) {
          const tsNode = services.esTreeNodeToTSNodeMap.get(call)
          if (!isResult(checker.getTypeAtLocation(tsNode))) continue
          context.report({ node: call, messageId: 'ignored', data: { name: nameOf(call) } })
        }
      },
    }
  },
}

export default rule
