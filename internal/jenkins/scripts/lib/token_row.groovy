
// ---- shared by every template (appended after it: Groovy script methods may follow their use) ----

// tokenRow is one token as the client reads it:
//   [userId, uuid, name, createdMillis|null, legacy, useCount, lastUsedMillis|null,
//    expirationDate "YYYY-MM-DD"|null, expired]
// Arrays, not objects: 50,000 tokens stay around 5 MB.
def tokenRow(u, prop, t) {
    def s = prop.getTokenStats().findTokenStatsById(t.getUuid())
    def created = t.getCreationDate()
    def lastUse = s.getLastUseDate()
    def exp = null
    def expired = false
    // Expiration dates exist since Jenkins 2.548 only.
    if (t.respondsTo('getExpirationDate')) {
        def e = t.getExpirationDate()
        if (e != null) {
            exp = e.toString()
            expired = t.isExpired()
        }
    }
    return [u.getId(), t.getUuid(), t.getName(), created == null ? null : created.getTime(), t.isLegacy(),
            s.getUseCounter(), lastUse == null ? null : lastUse.getTime(), exp, expired]
}
