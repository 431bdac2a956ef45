// Lists the API tokens of some users, or of every user, in one run.
// Parameters: {"marker": String, "budgetMs": int|null, "cursor": key|null (a walk, see
//              lib/walk.groovy and list_users.groovy: "walk" in the answer),
//              "exclusionsFrom": int|null (the exclusions' realm lookups, below),
//              "userIds": [String] or null (= every user),
//              "excludeUserIds": [String] (users left out; with checkRealm, ids neither Jenkins
//                                          nor its security realm knows are reported in
//                                          "unknownExcluded"),
//              "allowMissing": Boolean (unknown userIds are reported in "missing"
//                                       instead of failing the whole listing),
//              "facts": Boolean, "checkRealm": Boolean (also report userFacts of each user
//                                       listed: [id, lastLogin, lastTokenUse,
//                                       lastTokenCreated, lastUseUnknown, sessionsInvalidated,
//                                       realmStatus])}
// Prints marker + {"ok":{"tokens":[row...], "missing":[id...], "unknownExcluded":[id...],
//                        "resolved":[[requested, canonical]...],
//                        "info":{serverInfo}}} + marker,
// a row being tokenRow (lib/token_row.groovy):
//   [userId, uuid, name, createdMillis|null, legacy, useCount|null, lastUsedMillis|null,
//    expirationDate "YYYY-MM-DD"|null, expired]
// or marker + {"error":{"type":"userNotFound","userIds":[...]}} + marker.
// Rows are arrays, not objects: 50,000 tokens stay around 5 MB.
// Writes nothing itself: safe to repeat. With checkRealm it asks the realm's public lookup,
// at which the ldap and active-directory plugins save user records (lib/token_row.groovy).
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import jenkins.security.ApiTokenProperty

def p = new JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode('@@PARAMS_BASE64@@'), 'UTF-8'))
def over = walkOver(p) // the budget counts from here: the exclusions' realm lookups spend it too

def users = new ArrayList()
def missing = new ArrayList()
def resolved = new ArrayList()
if (p.userIds == null) {
    // User.getAll() also holds in-memory users never saved (SCM committers,
    // lookups with create=true); they have no stored tokens, so only
    // persisted users are listed.
    for (u in User.getAll()) {
        if (u.getUserFolder() != null) {
            users.add(u)
        }
    }
} else {
    for (id in p.userIds) {
        def u = User.getById(id, false)
        if (u == null) {
            missing.add(id)
        } else {
            users.add(u)
            resolved.add([id, u.getId()])
        }
    }
}

// Exclusions are compared through Jenkins's own id strategy. An id without a record holds no
// tokens, so it changes nothing; it is reported only when the security realm does not know it
// either (UsernameNotFoundException), as it may be a typo that protects nobody. Exclusions are
// often fed from an identity provider, whose members mostly never opened Jenkins: a realm that
// knows the id, cannot tell (SSO), or fails to answer gives no reason to doubt it, and an
// exclusion can only narrow what is selected.
// The realm lookups of exclusions are a walk of their own, before the users': from index
// p.exclusionsFrom (null: 0; -1: all done in earlier calls) until the budget is spent (at least
// one lookup per call); "exclusionsNext" in the answer is where the next call goes on, and no
// user is walked until they are done.
def excluded = new HashSet()
def unknownExcluded = new ArrayList()
def exclusionIds = p.excludeUserIds ?: []
int exclusionsFrom = p.exclusionsFrom == null ? 0 : (p.exclusionsFrom as int)
def exclusionsNext = null
boolean lookedUp = false
for (int i = 0; i < exclusionIds.size(); i++) {
    def id = exclusionIds[i]
    def u = User.getById(id, false)
    if (u != null) {
        excluded.add(u.getId())
        continue
    }
    if (!p.checkRealm || exclusionsFrom < 0 || i < exclusionsFrom) {
        // Only a caller that asked the realm already (checkRealm) has it asked about exclusions:
        // a directory realm's lookup of an id would save a record for it (lib/token_row.groovy),
        // one for every member of an identity-provider group who never opened Jenkins. Each
        // is asked once in a walk; the client keeps the answers.
        continue
    }
    if (lookedUp && over()) {
        exclusionsNext = i
        break // no user is walked in this call, so the exclusions after it are not needed
    }
    lookedUp = true
    def status
    try {
        status = realmStatus(id)[0]
    } catch (Exception ignored) {
        status = 'unverifiable'
    }
    if (status == 'unknown') {
        unknownExcluded.add(id)
    }
}

def result
if (!missing.isEmpty() && !p.allowMissing && p.cursor == null) {
    // Checked before the walk starts; a user deleted between two of its calls is left out.
    result = [error: [type: 'userNotFound', message: 'unknown users', userIds: missing]]
} else if (exclusionsNext != null) {
    result = [ok: [tokens: [], missing: missing, unknownExcluded: unknownExcluded, resolved: resolved, facts: [],
                   walk: [next: p.cursor, exclusionsNext: exclusionsNext, done: 0, total: users.size()], info: serverInfo()]]
} else {
    def rows = new ArrayList()
    def facts = new ArrayList()
    def seen = new HashSet()
    def statsOn = jenkins.security.apitoken.ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled()
    def walk = walkEachUser(users, p, over) { u ->
        if (excluded.contains(u.getId()) || !seen.add(u.getId())) {
            return
        }
        def prop = u.getProperty(ApiTokenProperty)
        if (prop == null) {
            return
        }
        for (t in prop.getTokenStore().getTokenListSortedByName()) {
            rows.add(tokenRow(u, prop, t, statsOn))
        }
        if (p.facts) {
            def f = userFacts(u, p.checkRealm, statsOn)
            facts.add([u.getId(), f[1], f[2], f[3], f[4], f[5], f[0]])
        }
    }
    result = [ok: [tokens: rows, missing: missing, unknownExcluded: unknownExcluded, resolved: resolved, facts: facts,
                   walk: walk, info: serverInfo()]]
}
print(p.marker + JsonOutput.toJson(result) + p.marker)
return null
