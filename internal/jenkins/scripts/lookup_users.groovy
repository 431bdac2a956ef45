// Resolves user ids as Jenkins does (case-insensitive, exact id, never
// creating a record). Parameters: {"marker", "userIds": [String]}
// Prints marker + {"ok":{"found":[[requested, canonical]...],"missing":[...]}} + marker.
// Read-only: safe to repeat.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def found = new ArrayList()
def missing = new ArrayList()
for (id in p.userIds) {
    def u = User.getById(id, false)
    if (u == null) {
        missing.add(id)
    } else {
        found.add([id, u.getId()])
    }
}
print(p.marker + JsonOutput.toJson([ok: [found: found, missing: missing]]) + p.marker)
return null
