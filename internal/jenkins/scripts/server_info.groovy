// Reports what the provider must know of this Jenkins to decide as it does (see serverInfo in
// lib/token_row.groovy). Parameters: {"marker"}. Read-only: safe to repeat.
// Prints marker + {"ok":{"info":{...}}} + marker.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))
print(p.marker + JsonOutput.toJson([ok: [info: serverInfo()]]) + p.marker)
return null
