package jenkins.security

import hudson.model.User
import hudson.model.UserProperty
import hudson.model.UserPropertyDescriptor
import hudson.security.ACL
import hudson.util.Secret
import jenkins.management.Badge
import jenkins.model.Jenkins
import jenkins.security.apitoken.ApiTokenPropertyConfiguration
import jenkins.security.apitoken.ApiTokenStats
import jenkins.security.apitoken.ApiTokenStore
import jenkins.security.apitoken.TokenUuidAndPlainValue
import jenkinssim.SimClock
import jenkinssim.SimContext
import jenkinssim.SimResponse
import org.springframework.security.core.Authentication

import java.security.MessageDigest
import java.security.SecureRandom
import java.time.LocalDate
import java.time.Period
import java.time.ZonedDateTime
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

// Every user's API tokens: the legacy seed (apiToken) plus the store of hashed tokens.
class ApiTokenProperty extends UserProperty {
    private static final long serialVersionUID = 1L
    // Deliberately non-final, as in Jenkins, so scripts can flip them at runtime.
    private static boolean SHOW_LEGACY_TOKEN_TO_ADMINS = Boolean.getBoolean('jenkins.security.ApiTokenProperty.showTokenToAdmins')
    private static boolean ADMIN_CAN_GENERATE_NEW_TOKENS = Boolean.getBoolean('jenkins.security.ApiTokenProperty.adminCanGenerateNewTokens')

    @Deprecated
    static final HMACConfidentialKey API_KEY_SEED = new HMACConfidentialKey('jenkins.security.ApiTokenProperty.seed', 16)

    private volatile Secret apiToken
    private ApiTokenStore tokenStore
    private transient ApiTokenStats tokenStats

    ApiTokenProperty() {}

    ApiTokenProperty(String seed) {
        apiToken = seed == null ? null : Secret.fromString(seed)
    }

    /** Resets the static switches to their system-property values (simulated JVM start). */
    static void simResetSwitches() {
        SHOW_LEGACY_TOKEN_TO_ADMINS = Boolean.getBoolean('jenkins.security.ApiTokenProperty.showTokenToAdmins')
        ADMIN_CAN_GENERATE_NEW_TOKENS = Boolean.getBoolean('jenkins.security.ApiTokenProperty.adminCanGenerateNewTokens')
    }

    static boolean simAdminCanGenerateNewTokens() { ADMIN_CAN_GENERATE_NEW_TOKENS }

    static boolean simShowTokenToAdmins() { SHOW_LEGACY_TOKEN_TO_ADMINS }

    /** Runs on creation, load and addProperty: the legacy entry is rebuilt from the seed if missing (Q7). */
    protected void setUser(User u) {
        super.setUser(u)
        if (tokenStore == null) {
            tokenStore = new ApiTokenStore()
        }
        if (tokenStats == null) {
            tokenStats = ApiTokenStats.load(u)
        }
        if (apiToken != null) {
            tokenStore.regenerateTokenFromLegacyIfRequired(apiToken)
        }
    }

    String getApiToken() {
        canCurrentUserControl(SHOW_LEGACY_TOKEN_TO_ADMINS, user) ? getApiTokenInsecure() : 'Token is hidden'
    }

    String getApiTokenInsecure() {
        if (apiToken == null) {
            return 'This user currently does not have a legacy token'
        }
        String p = apiToken.plainText
        if (p == md5Hex(Jenkins.get().getSecretKey() + ':' + user.id)) {
            // The initial value of pre-SECURITY-49 Jenkins may be compromised: the HMAC seed
            // replaces it, in memory only (ApiTokenProperty.getApiTokenInsecure).
            apiToken = Secret.fromString(p = API_KEY_SEED.mac(user.id))
        }
        md5Hex(p)
    }

    private static String md5Hex(String s) {
        MessageDigest.getInstance('MD5').digest(s.getBytes('UTF-8')).encodeHex().toString()
    }

    static boolean canCurrentUserControl(boolean trustAdmins, User owner) {
        Authentication a = Jenkins.getAuthentication2()
        if (trustAdmins && Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
            return true
        }
        if (a.is(ACL.SYSTEM2)) {
            return true
        }
        !ACL.isAnonymous2(a) && owner != null && User.idStrategy().equals(a.name, owner.id)
    }

    boolean hasLegacyToken() { apiToken != null }

    boolean matchesPassword(String token) {
        if (token == null || token.trim().isEmpty()) {
            return false
        }
        ApiTokenStore.HashedToken t = tokenStore.findMatchingToken(token)
        if (t == null) {
            return false
        }
        tokenStats.updateUsageForId(t.uuid)
        true
    }

    Collection<TokenInfoAndStats> getTokenList() {
        tokenStore.getTokenListSortedByName().collect { ApiTokenStore.HashedToken t ->
            new TokenInfoAndStats(t, tokenStats.findTokenStatsById(t.uuid))
        }
    }

    @Deprecated
    void changeApiToken() throws IOException {
        user.checkPermission(Jenkins.ADMINISTER)
        ApiTokenStore.HashedToken old = tokenStore.getLegacyToken()
        byte[] random = new byte[16]
        new SecureRandom().nextBytes(random)
        apiToken = Secret.fromString(random.encodeHex().toString())
        tokenStore.regenerateTokenFromLegacy(apiToken)
        if (old != null) {
            tokenStats.removeId(old.uuid)
        }
        user.save()
    }

    void deleteApiToken() { apiToken = null }

    ApiTokenStore getTokenStore() { tokenStore }

    ApiTokenStats getTokenStats() { tokenStats }

//#if >=2.548
    String addFixedNewToken(String name, String tokenPlainValue) throws IOException {
        addFixedNewToken(name, tokenPlainValue, null)
    }

    String addFixedNewToken(String name, String tokenPlainValue, LocalDate expirationDate) throws IOException {
        String uuid = tokenStore.addFixedNewToken(name, tokenPlainValue, expirationDate)
        user.save()
        uuid
    }

    TokenUuidAndPlainValue generateNewToken(String name) throws IOException {
        generateNewToken(name, null)
    }

    TokenUuidAndPlainValue generateNewToken(String name, LocalDate expirationDate) throws IOException {
        TokenUuidAndPlainValue result = tokenStore.generateNewToken(name, expirationDate)
        user.save()
        result
    }

    Badge getBadge() {
        int expired = 0
        int soon = 0
        tokenStore.getTokenListSortedByName().each { ApiTokenStore.HashedToken t ->
            if (t.isExpired()) {
                expired++
            } else if (t.isAboutToExpire()) {
                soon++
            }
        }
        if (expired > 0) {
            return new Badge(String.valueOf(expired + soon), expired + ' expired tokens.', Badge.Severity.DANGER)
        }
        if (soon > 0) {
            return new Badge(String.valueOf(soon), soon + ' tokens about to expire.', Badge.Severity.WARNING)
        }
        null
    }
//#else
    String addFixedNewToken(String name, String tokenPlainValue) throws IOException {
        String uuid = tokenStore.addFixedNewToken(name, tokenPlainValue)
        user.save()
        uuid
    }

    TokenUuidAndPlainValue generateNewToken(String name) throws IOException {
        TokenUuidAndPlainValue result = tokenStore.generateNewToken(name)
        user.save()
        result
    }
//#end

    void revokeAllTokens() throws IOException {
        tokenStats.removeAll()
        tokenStore.revokeAllTokens()
        user.save()
    }

    void revokeAllTokensExceptOne(String tokenUuid) throws IOException {
        tokenStats.removeAllExcept(tokenUuid)
        tokenStore.revokeAllTokensExcept(tokenUuid)
        user.save()
    }

    void revokeToken(String tokenUuid) throws IOException {
        ApiTokenStore.HashedToken t = tokenStore.revokeToken(tokenUuid)
        if (t != null) {
            if (t.isLegacy()) {
                apiToken = null
            }
            tokenStats.removeId(t.uuid)
            user.save()
        }
    }

    static class TokenInfoAndStats {
        public final String uuid
        public final String name
        public final Date creationDate
        public final long numDaysCreation
        public final boolean isLegacy
        public final int useCounter
        public final Date lastUseDate
        public final long numDaysUse
//#if >=2.548
        public final String expirationDate
        public final boolean expired
        public final boolean aboutToExpire
//#end

        TokenInfoAndStats(ApiTokenStore.HashedToken token, ApiTokenStats.SingleTokenStats stats) {
            this.uuid = token.uuid
            this.name = token.name
            this.creationDate = token.creationDate
            this.numDaysCreation = token.numDaysCreation
            this.isLegacy = token.isLegacy()
//#if >=2.548
            this.expired = token.isExpired()
            this.aboutToExpire = token.isAboutToExpire()
            LocalDate exp = token.expirationDate
            this.expirationDate = exp == null ? 'never' : exp.format(DateTimeFormatter.ofLocalizedDate(FormatStyle.SHORT).withLocale(SimContext.locale()))
//#end
            this.useCounter = stats.useCounter
            this.lastUseDate = stats.lastUseDate
            this.numDaysUse = stats.numDaysUse
        }

        String createdDaysAgo() { ago(creationDate, 'Created', 'Created', false) }

        String lastUsedDaysAgo() { ago(lastUseDate, 'Last used', 'Last used over', true) }

        // English texts of Messages.properties ApiTokenProperty.created* / lastUsed*.
        private static String ago(Date d, String prefix, String overPrefix, boolean lastUsed) {
            Period p = Period.between(SimClock.toLocalDate(d), SimClock.today())
            if (p.years > 1) {
                return overPrefix + ' ' + p.years + ' years ago'
            }
            if (p.years == 1) {
                return prefix + ' over a year ago'
            }
            if (p.months > 1) {
                return overPrefix + ' ' + p.months + ' months ago'
            }
            if (p.months == 1) {
                return prefix + ' over a month ago'
            }
            if (p.days > 14) {
                return overPrefix + ' ' + (p.days.intdiv(7)) + ' weeks ago'
            }
            if (p.days >= 7) {
                return prefix + ' over a week ago'
            }
            if (p.days == 0) {
                return prefix + ' today'
            }
            if (p.days == 1) {
                return prefix + ' yesterday'
            }
            prefix + ' ' + p.days + ' days ago'
        }
    }

    static class DescriptorImpl extends UserPropertyDescriptor {
        DescriptorImpl() { super(ApiTokenProperty) }

        String getDisplayName() { 'API Token' }

        String getNoLegacyToken() { 'This user currently does not have a legacy token' }

        ApiTokenProperty newInstance(User user) {
            if (ApiTokenPropertyConfiguration.get().isTokenGenerationOnCreationEnabled()) {
                return new ApiTokenProperty(ApiTokenProperty.API_KEY_SEED.mac(user.id))
            }
            new ApiTokenProperty()
        }

        boolean isStatisticsEnabled() { ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled() }

        boolean mustDisplayLegacyApiToken(User propertyOwner) {
            ApiTokenProperty p = propertyOwner.getProperty(ApiTokenProperty)
            (p != null && p.hasLegacyToken()) || ApiTokenPropertyConfiguration.get().isCreationOfLegacyTokenEnabled()
        }

        /** Self or SYSTEM; an admin for someone else only with adminCanGenerateNewTokens. */
        boolean hasCurrentUserRightToGenerateNewToken(User propertyOwner) {
            Authentication a = Jenkins.getAuthentication2()
            if (ApiTokenProperty.simAdminCanGenerateNewTokens() && Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return true
            }
            if (a.is(ACL.SYSTEM2)) {
                return true
            }
            !ACL.isAnonymous2(a) && User.idStrategy().equals(a.name, propertyOwner.id)
        }

        String getUserPropertyCategory() { 'Security' }

        // ---- web methods (Stapler HttpResponse rendered as SimResponse) ----

        @Deprecated
        SimResponse doChangeToken(User u) throws IOException {
            u.checkPermission(Jenkins.ADMINISTER)
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                p = forceNewInstance(u, true)
            } else {
                if (!p.hasLegacyToken() && !ApiTokenPropertyConfiguration.get().isCreationOfLegacyTokenEnabled()) {
                    return SimResponse.text(200, 'text/html;charset=UTF-8',
                        '<div>Capability to generate a legacy token without an existing one is currently disabled in the security configuration</div>\n')
                }
                p.changeApiToken()
            }
            String msg = ApiTokenProperty.canCurrentUserControl(ApiTokenProperty.simShowTokenToAdmins(), u) ?
                '<div>Updated. See the new token in the field above</div>' :
                '<div>Updated. You need to login as the user to see the token</div>'
            SimResponse r = SimResponse.text(200, 'text/html;charset=UTF-8', msg + '\n')
            if (!Jenkins.getVersion().isOlderThan(new hudson.util.VersionNumber('2.540'))) {
                String value = p.getApiTokenInsecure()
                r.header('X-Jenkins-ValidateButton-Callback',
                    '{"callback":"changeTokenCallback","arguments":["' + value + '"]}')
            }
            r
        }

        private static ApiTokenProperty forceNewInstance(User u, boolean withLegacySeed) {
            ApiTokenProperty p
            if (withLegacySeed) {
                byte[] random = new byte[16]
                new SecureRandom().nextBytes(random)
                p = new ApiTokenProperty(random.encodeHex().toString())
            } else {
                p = new ApiTokenProperty()
            }
            u.addProperty(p)
            p
        }

        /** Default token name: "Token created on <ISO offset date-time>". */
        private static String defaultName() {
            'Token created on ' + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
        }

        private static boolean isBlank(String s) { s == null || s.trim().isEmpty() }

//#if >=2.548
        /** expirationDuration: blank or "never" = none, "custom" = tokenExpiration, else days from today. */
        private static LocalDate expiration(String tokenExpiration, String expirationDuration) {
            String d = expirationDuration == null ? '' : expirationDuration.trim()
            if (d.isEmpty() || d == 'never') {
                return null
            }
            if (d == 'custom') {
                return LocalDate.parse(tokenExpiration)
            }
            SimClock.today().plusDays(Integer.parseInt(d))
        }

        SimResponse doGenerateNewToken(User u, String newTokenName, String tokenExpiration, String expirationDuration) throws IOException {
            if (!hasCurrentUserRightToGenerateNewToken(u)) {
                return SimResponse.forbidden()
            }
            String tokenName = isBlank(newTokenName) ? defaultName() : newTokenName
            LocalDate exp = expiration(tokenExpiration, expirationDuration)
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                p = forceNewInstance(u, false)
            }
            if (exp != null && exp.isBefore(SimClock.today())) {
                return SimResponse.errorJSON('Expiration date is in the past.')
            }
            TokenUuidAndPlainValue t = p.tokenStore.generateNewToken(tokenName, exp)
            u.save()
            Map data = new LinkedHashMap()
            data.tokenUuid = t.tokenUuid
            data.tokenName = tokenName
            data.tokenValue = t.plainValue
            data.expirationDate = exp == null ? 'never' : exp.format(DateTimeFormatter.ofLocalizedDate(FormatStyle.SHORT).withLocale(SimContext.locale()))
            data.aboutToExpire = t.aboutToExpire
            SimResponse.okJSON(data)
        }

        SimResponse doAddFixedToken(User u, String newTokenName, String newTokenPlainValue, String tokenExpiration, String expirationDuration) throws IOException {
            if (!hasCurrentUserRightToGenerateNewToken(u)) {
                return SimResponse.forbidden()
            }
            String tokenName = isBlank(newTokenName) ? 'Token created on ' + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) : newTokenName
            LocalDate exp = expiration(tokenExpiration, expirationDuration)
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                p = forceNewInstance(u, false)
            }
            String uuid = p.tokenStore.addFixedNewToken(tokenName, newTokenPlainValue, exp)
            u.save()
            Map data = new LinkedHashMap()
            data.tokenUuid = uuid
            data.tokenName = tokenName
            SimResponse.okJSON(data)
        }
//#else
        SimResponse doGenerateNewToken(User u, String newTokenName) throws IOException {
            if (!hasCurrentUserRightToGenerateNewToken(u)) {
                return SimResponse.forbidden()
            }
            String tokenName = isBlank(newTokenName) ? defaultName() : newTokenName
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                p = forceNewInstance(u, false)
            }
            TokenUuidAndPlainValue t = p.tokenStore.generateNewToken(tokenName)
            u.save()
            Map data = new LinkedHashMap()
            data.tokenUuid = t.tokenUuid
            data.tokenName = tokenName
            data.tokenValue = t.plainValue
            SimResponse.okJSON(data)
        }

        SimResponse doAddFixedToken(User u, String newTokenName, String newTokenPlainValue) throws IOException {
            if (!hasCurrentUserRightToGenerateNewToken(u)) {
                return SimResponse.forbidden()
            }
            String tokenName = isBlank(newTokenName) ? 'Token created on ' + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) : newTokenName
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                p = forceNewInstance(u, false)
            }
            String uuid = p.tokenStore.addFixedNewToken(tokenName, newTokenPlainValue)
            u.save()
            Map data = new LinkedHashMap()
            data.tokenUuid = uuid
            data.tokenName = tokenName
            SimResponse.okJSON(data)
        }
//#end

        SimResponse doRename(User u, String tokenUuid, String newName) throws IOException {
            u.checkPermission(Jenkins.ADMINISTER)
            if (isBlank(newName)) {
                return SimResponse.errorJSON('The name cannot be empty')
            }
            if (isBlank(tokenUuid)) {
                return SimResponse.errorJSON('The tokenUuid cannot be empty')
            }
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                return SimResponse.errorJSON('The user does not have any ApiToken yet, try generating one before.')
            }
            if (!p.tokenStore.renameToken(tokenUuid, newName)) {
                return SimResponse.errorJSON('No token found, try refreshing the page')
            }
            u.save()
            SimResponse.okJSON()
        }

        SimResponse doRevoke(User u, String tokenUuid, String uri) throws IOException {
            u.checkPermission(Jenkins.ADMINISTER)
            if (isBlank(tokenUuid)) {
                return SimResponse.error(400, 'The tokenUuid cannot be empty', uri)
            }
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                return SimResponse.error(400, 'The user does not have any ApiToken yet, try generating one before.', uri)
            }
            ApiTokenStore.HashedToken revoked = p.tokenStore.revokeToken(tokenUuid)
            if (revoked != null) {
                if (revoked.isLegacy()) {
                    p.deleteApiToken()
                }
                p.tokenStats.removeId(revoked.uuid)
            }
            u.save()
            SimResponse.ok()
        }

        SimResponse doRevokeAll(User u, String uri) throws IOException {
            u.checkPermission(Jenkins.ADMINISTER)
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                return SimResponse.error(400, 'The user does not have any ApiToken yet, try generating one before.', uri)
            }
            p.revokeAllTokens()
            SimResponse.ok()
        }

        SimResponse doRevokeAllExcept(User u, String tokenUuid, String uri) throws IOException {
            u.checkPermission(Jenkins.ADMINISTER)
            if (isBlank(tokenUuid)) {
                return SimResponse.error(400, 'The tokenUuid cannot be empty', uri)
            }
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            if (p == null) {
                return SimResponse.error(400, 'The user does not have any ApiToken yet, try generating one before.', uri)
            }
            p.revokeAllTokensExceptOne(tokenUuid)
            SimResponse.ok()
        }
    }
}
