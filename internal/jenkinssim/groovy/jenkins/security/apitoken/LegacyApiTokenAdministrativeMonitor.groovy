package jenkins.security.apitoken

import hudson.model.AdministrativeMonitor
import hudson.model.User
import jenkins.security.ApiTokenProperty
import jenkinssim.SimResponse

// Lists users whose legacy seed is set and revokes selected legacy tokens.
class LegacyApiTokenAdministrativeMonitor extends AdministrativeMonitor {
    LegacyApiTokenAdministrativeMonitor() { super('legacyApiToken') }

    String getDisplayName() { 'Legacy API Token usage' }

    boolean isActivated() {
        User.getAll().any { User u ->
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            p != null && p.hasLegacyToken()
        }
    }

    boolean isSecurity() { true }

    SimResponse doIndex() throws IOException { SimResponse.redirect('manage') }

    List<User> getImpactedUserList() {
        User.getAll().findAll { User u ->
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            p != null && p.hasLegacyToken()
        } as List<User>
    }

    ApiTokenStore.HashedToken getLegacyTokenOf(User user) {
        user.getProperty(ApiTokenProperty).tokenStore.getLegacyToken()
    }

    ApiTokenProperty.TokenInfoAndStats getLegacyStatsOf(User user, ApiTokenStore.HashedToken legacyToken) {
        if (legacyToken == null) {
            return null
        }
        ApiTokenProperty p = user.getProperty(ApiTokenProperty)
        new ApiTokenProperty.TokenInfoAndStats(legacyToken, p.tokenStats.findTokenStatsById(legacyToken.uuid))
    }

    /** The legacy token's last use, or its creation date when never used; null for a migrated, unused one (never fresh nor recent). */
    private static Date legacyReference(ApiTokenProperty.TokenInfoAndStats legacyStats) {
        legacyStats.lastUseDate != null ? legacyStats.lastUseDate : legacyStats.creationDate
    }

    boolean hasFreshToken(User user, ApiTokenProperty.TokenInfoAndStats legacyStats) {
        if (legacyStats == null) {
            return false
        }
        Date ref = legacyReference(legacyStats)
        user.getProperty(ApiTokenProperty).tokenList.any { ApiTokenProperty.TokenInfoAndStats t ->
            !t.isLegacy && t.creationDate != null && ref != null && t.creationDate.after(ref)
        }
    }

    boolean hasMoreRecentlyUsedToken(User user, ApiTokenProperty.TokenInfoAndStats legacyStats) {
        if (legacyStats == null) {
            return false
        }
        Date ref = legacyReference(legacyStats)
        user.getProperty(ApiTokenProperty).tokenList.any { ApiTokenProperty.TokenInfoAndStats t ->
            !t.isLegacy && t.lastUseDate != null && ref != null && t.lastUseDate.after(ref)
        }
    }

    /** Revokes each (userId, uuid) pair; unknown ones are skipped. Clears the seed whenever a uuid was found (Q8). */
    SimResponse doRevokeAllSelected(RevokeAllSelectedModel content) throws IOException {
        for (RevokeAllSelectedUserAndUuid value : (content?.values ?: new RevokeAllSelectedUserAndUuid[0])) {
            String userId = value.userId == null ? 'null' : value.userId
            User user = User.getById(userId, false)
            if (user == null) {
                continue
            }
            ApiTokenProperty p = user.getProperty(ApiTokenProperty)
            if (p == null) {
                continue
            }
            ApiTokenStore.HashedToken revoked = p.tokenStore.revokeToken(value.uuid)
            if (revoked == null) {
                continue
            }
            p.deleteApiToken()
            user.save()
        }
        SimResponse.ok()
    }

    static final class RevokeAllSelectedModel {
        public RevokeAllSelectedUserAndUuid[] values
    }

    static final class RevokeAllSelectedUserAndUuid {
        public String userId
        public String uuid
    }
}
