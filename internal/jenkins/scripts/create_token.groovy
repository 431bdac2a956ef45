// Adds an API token with a value chosen by the caller.
// Parameters: {"marker", "userId", "name",
//              "expirationDate": "YYYY-MM-DD" or null, "createIfRealmKnows": bool,
//              "callerValue": bool, "defaultExpiryDays": int or null,
//              "retry": bool (set by the client from its second attempt on),
//              "notBefore": Jenkins-clock milliseconds, or null; required with callerValue}
// The value ("11"+32 hex) is the form field tokenValue of the same POST, never part of this text,
// which Jenkins logs (lib/request_field.groovy).
// defaultExpiryDays: with no expirationDate, on a Jenkins with expiration dates (2.548+), the
// token expires that many days after Jenkins's today, by Jenkins's own clock when it is made.
// Safe to repeat: if the user already holds a token matching the value (a retry after a lost
// response), that token is returned and nothing is added. A value the provider drew matches no
// other token. A value from the caller's configuration (callerValue) might: a match is taken
// only on a retry ("retry": the client sets it from its second attempt on) and only when it has
// the same name and Jenkins created it at or after notBefore, a point the client took from
// Jenkins's clock before its first attempt (lib/token_row.groovy, createdSince); any other is
// reported as valueInUse, because two owners of one token would revoke each other's.
// The user must be one whose tokens can log in: Jenkins impersonates the token's user through
// the security realm, and a user the realm answers UsernameNotFoundException for (a record
// made in memory for an SCM committer, a user without a password in Jenkins's own database)
// gets a 500 instead. Such users are reported as unknown and nothing is created. A realm that
// cannot tell (UserMayOrMayNotExistException2, many SSO realms) does not stop the create of an
// existing user: Jenkins lets that user's tokens log in. A user without a record is created as
// at a first login when the realm knows it and createIfRealmKnows is set (the realm's public
// lookup: a directory plugin saves the record then, as this script does anyway).
// An expiration date before Jenkins's today is refused (the token would never log in).
// Prints marker + {"ok":{"token":row, "info":{serverInfo}}} + marker (row: lib/token_row.groovy),
// or marker + {"error":{"type": "userNotFound"|"unsupported"|"expirationInPast"|"valueInUse", ...}} + marker.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))
def result = createOneToken(p, requestField('tokenValue'))
if (result.ok != null) {
    result.ok.info = serverInfo()
}
print(p.marker + JsonOutput.toJson(result) + p.marker)
return null
