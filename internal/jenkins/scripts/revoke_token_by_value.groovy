// Revokes the token of a user that matches a value, when there is one: how the provider settles
// a create whose answer it never got (the run was interrupted, the connection lost), so that no
// token stays valid whose value nobody holds. A value the provider drew matches at most one token.
// Parameters: {"marker", "userId", "name", "hash", "notBefore"}: hash is the SHA-256 (hex) of the
// value's 32-hex secret, as ApiTokenStore keeps it; the value itself never travels (the script
// text is logged). Only a token with that name is revoked, and, with notBefore (Jenkins-clock
// milliseconds the client took before the create's first attempt; null for a value the provider
// drew, which no other token holds), only one Jenkins created at or after it: a value given in a
// configuration could be an older token's (the create would then have failed), and that token
// is not this create's to settle. ApiTokenProperty.revokeToken also drops the token's usage
// statistics and saves the user.
// The user is found as the create found it: by userId, or, when Jenkins has no such user, by the
// id the security realm answers for it (the create made the record under that spelling).
// Prints marker + {"ok":{"userId": canonical id|null, "revoked": uuid|null}} + marker.
// Safe to repeat: a token already gone, or a user without one, revokes nothing.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))

def r = revokeOneTokenByValue(p)
print(p.marker + JsonOutput.toJson([ok: [userId: r[0], revoked: r[1]]]) + p.marker)
return null
