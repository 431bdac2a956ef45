package jenkinssim

import hudson.model.User
import jenkins.security.ApiTokenProperty
import jenkins.security.apitoken.ApiTokenStore
import jenkins.security.apitoken.LegacyApiTokenAdministrativeMonitor

import static jenkinssim.SimResponse.escape

// manage.jelly of the legacy API token monitor: one row per impacted user that still has a
// legacy entry in the store.
class LegacyPage {
    static String render(LegacyApiTokenAdministrativeMonitor m) {
        StringBuilder sb = new StringBuilder()
        sb.append('<!DOCTYPE html><html><head><title>Legacy API Token usage [Jenkins]</title></head><body><div id="main-panel">')
        sb.append('<h1>Legacy API Token usage</h1>')
        sb.append('<table class="jenkins-table legacy-token-usage"><thead><tr><th></th><th>User</th><th>Full name</th><th>Token name</th>')
        sb.append('<th>Created</th><th>Number of uses</th><th>Last use</th><th>Fresh token?</th><th>Recent token?</th></tr></thead><tbody>\n')
        for (User u : m.getImpactedUserList()) {
            ApiTokenStore.HashedToken legacy = m.getLegacyTokenOf(u)
            if (legacy == null) {
                continue
            }
            ApiTokenProperty.TokenInfoAndStats s = m.getLegacyStatsOf(u, legacy)
            boolean fresh = m.hasFreshToken(u, s)
            boolean recent = m.hasMoreRecentlyUsedToken(u, s)
            sb.append('<tr class="legacy-token-row" data-user-id="').append(escape(u.id)).append('">')
            sb.append('<td><input type="checkbox" class="token-to-revoke" data-user-id="').append(escape(u.id))
              .append('" data-uuid="').append(escape(legacy.uuid)).append('" data-fresh-token="').append(fresh)
              .append('" data-recent-token="').append(recent).append('"/></td>')
            sb.append('<td><a href="').append(escape(u.absoluteUrl)).append('">').append(escape(u.id)).append('</a></td>')
            sb.append('<td>').append(escape(u.fullName)).append('</td>')
            sb.append('<td>').append(escape(legacy.name)).append('</td>')
            sb.append('<td>').append(s.creationDate == null ? 'Unknown' : String.valueOf(s.numDaysCreation) + ' days').append('</td>')
            sb.append('<td>').append(s.useCounter).append('</td>')
            sb.append('<td>').append(s.lastUseDate == null ? 'Never used' : String.valueOf(s.numDaysUse) + ' days').append('</td>')
            sb.append('<td>').append(fresh ? 'Yes' : 'No').append('</td>')
            sb.append('<td>').append(recent ? 'Yes' : 'No').append('</td></tr>\n')
        }
        sb.append('</tbody></table></div></body></html>\n')
        sb.toString()
    }
}
