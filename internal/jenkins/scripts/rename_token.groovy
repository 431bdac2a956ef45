// Renames a token in place (same UUID, same value) and saves the user.
// Parameters: {"marker", "userId", "uuid", "name"}
// Prints marker + {"ok":{"token":row}} + marker, or an error object of type
// userNotFound / tokenNotFound. Safe to repeat.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

print(p.marker + JsonOutput.toJson(renameOneToken(p)) + p.marker)
return null
