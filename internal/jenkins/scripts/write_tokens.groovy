// Makes many token writes in one call: what Terraform's concurrent creates, renames and
// revocations of one provider cost together (internal/provider/token_writer.go).
// Parameters: {"marker", "ops": [op, ...], "retry": bool (set by the client from its second
// attempt on, and for the rest of a walk after a call was cut off), "budgetMs": int|null}.
// An op is one of
//   {"op": "create", "value": index into the values, and create_token's parameters but marker}
//   {"op": "rename", "userId", "uuid", "name"}
//   {"op": "revoke", "userId", "uuid"}
//   {"op": "revokeByValue", revoke_token_by_value's parameters but marker}: the settlement of a
//     create whose answer was lost, which sends the SHA-256 of the value, never the value
// The values of the tokens to create ("11"+32 hex each) are the form field tokenValues of the
// same POST, joined by commas, never part of this text, which Jenkins logs
// (lib/request_field.groovy).
// A walk (lib/walk.groovy): ops in order until the time budget is spent (at least one); the
// answer has an outcome for each op done, in order, and the client sends the rest again. Each op
// is what create_token, rename_token and revoke_tokens do for one token (lib/token_write.groovy),
// under the same rules, and safe to repeat as they are; an exception fails that op alone.
// Prints marker + {"ok":{"results":[outcome, ...], "info":{serverInfo}}} + marker, where an
// outcome is {"ok":{"token":row}} (create, rename), {"ok":{"revoked":revoke_tokens's row}}
// (revoke), {"ok":{"userId", "revoked": uuid|null}} (revokeByValue), or {"error":{"type",
// "message", ...}} (an error object as the single scripts print, or type "exception" with the
// exception's toString, the first line of the stack trace Jenkins would print).
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))
def field = requestField('tokenValues')
def values = field == null ? [] : field.split(',').toList()

def results = new ArrayList()
def over = walkOver(p)
for (op in p.ops) {
    if (!results.isEmpty() && over()) {
        break // the ops after it are the next call's: results.size() says how many were done
    }
    try {
        if (op.op == 'create') {
            op.retry = p.retry
            def value = op.value instanceof Integer && op.value >= 0 && op.value < values.size() ? values[op.value] : null
            results.add(createOneToken(op, value))
        } else if (op.op == 'rename') {
            results.add(renameOneToken(op))
        } else if (op.op == 'revoke') {
            results.add([ok: [revoked: revokeOneToken([op.userId, op.uuid, false])]])
        } else if (op.op == 'revokeByValue') {
            def r = revokeOneTokenByValue(op)
            results.add([ok: [userId: r[0], revoked: r[1]]])
        } else {
            results.add([error: [type: 'java.lang.IllegalArgumentException', message: 'unknown op']])
        }
    } catch (Exception e) {
        // What the first line of Jenkins's stack trace would say (Functions.printThrowable).
        results.add([error: [type: 'exception', message: e.toString()]])
    }
}
print(p.marker + JsonOutput.toJson([ok: [results: results, info: serverInfo()]]) + p.marker)
return null
