package jenkinssim

import hudson.model.User
import jenkins.security.ApiTokenProperty
import jenkins.security.apitoken.ApiTokenStore
import jenkins.security.apitoken.LegacyApiTokenAdministrativeMonitor

import static jenkinssim.SimResponse.escape

// manage.jelly of the legacy API token monitor: one row per impacted user that still has a
// legacy entry in the store; its checkbox classes (token-to-revoke, fresh-token, recent-token),
// the no-token-line row and the selection links are what resources.js and Jenkins's tests use.
class LegacyPage {
    static String render(LegacyApiTokenAdministrativeMonitor m) {
        StringBuilder sb = new StringBuilder()
        sb.append('<!DOCTYPE html><html><head><title>Manage Legacy API Token usage [Jenkins]</title></head><body><div id="main-panel">')
        sb.append('<div class="legacy-token-usage"><h1>Manage Legacy API Token usage</h1>')
        sb.append('<table class="pane jenkins-table"><thead><tr><th width="1%"></th><th>User ID</th><th>User full name</th><th>Token name</th>')
        sb.append('<th>Days since creation</th><th># of uses</th><th>Days since last use</th><th>Fresh token?</th><th>Recent token?</th></tr></thead>\n')
        List<User> impacted = m.getImpactedUserList()
        if (impacted.isEmpty()) {
            sb.append('<tr class="no-token-line"><td colspan="9"><div class="no-token">There are no users with a legacy token</div></td></tr>\n')
        }
        for (User u : impacted) {
            ApiTokenStore.HashedToken legacy = m.getLegacyTokenOf(u)
            if (legacy == null) {
                continue
            }
            ApiTokenProperty.TokenInfoAndStats s = m.getLegacyStatsOf(u, legacy)
            boolean fresh = m.hasFreshToken(u, s)
            boolean recent = m.hasMoreRecentlyUsedToken(u, s)
            sb.append('<tr><td><input type="checkbox" value="" name="revoke" data-user-id="').append(escape(u.id))
              .append('" data-uuid="').append(escape(legacy.uuid)).append('" class="token-to-revoke ').append(fresh ? 'fresh-token' : '')
              .append(' ').append(recent ? 'recent-token' : '').append('"/></td>')
            sb.append('<td>').append(escape(u.id)).append('</td>')
            sb.append('<td>').append(escape(u.fullName)).append('</td>')
            sb.append('<td>').append(escape(legacy.name)).append('</td>')
            sb.append('<td>').append(s.creationDate == null ? 'Unknown' : String.valueOf(s.numDaysCreation)).append('</td>')
            sb.append('<td>').append(s.useCounter).append('</td>')
            sb.append('<td>').append(s.lastUseDate == null ? 'Never used' : String.valueOf(s.numDaysUse)).append('</td>')
            sb.append('<td>').append(fresh ? 'A fresh token exists for this user' : 'No fresh token exists for this user').append('</td>')
            sb.append('<td>').append(recent ? 'A recent token exist for that user' : 'No recent token exist for that user').append('</td></tr>\n')
        }
        sb.append('</table>\n<div class="selection-panel">Select:\n')
        sb.append('<a href="#" class="action" id="legacy-api-token-monitor-select-all">all</a>\n')
        sb.append('<a href="#" class="action" id="legacy-api-token-monitor-select-fresh">only fresh</a>\n')
        sb.append('<a href="#" class="action" id="legacy-api-token-monitor-select-recent">only recent</a>\n</div>\n')
        sb.append('<button type="button" class="action-revoke-selected jenkins-button jenkins-button--primary" data-url="')
          .append(escape(SimServer.contextPath + '/' + m.url + '/revokeAllSelected')).append('">Revoke the selected token(s)</button>')
        sb.append('</div></div></body></html>\n')
        sb.toString()
    }
}
