package jenkinssim

import hudson.security.Permission
import jenkins.model.Jenkins
import org.springframework.security.core.Authentication

// The HTML pages and error shapes of Jenkins that clients may meet.
class Pages {
    static final String GROUP_HEADER = 'JENKINS-39402: use -Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS=true or use /whoAmI to diagnose'

    static SimResponse html(int status, String body) {
        SimResponse r = SimResponse.text(status, 'text/html;charset=UTF-8', body)
        advertise(r)
    }

    /** Functions.advertiseHeaders: layout pages carry X-Hudson, X-Jenkins, X-Jenkins-Session. */
    static SimResponse advertise(SimResponse r) {
        r.header('X-Hudson', '1.395')
        SimServer.withJenkinsHeaders(r)
        r
    }

    static SimResponse unavailable(boolean restarting) {
        String msg = restarting ? 'Please wait while Jenkins is restarting' : 'Please wait while Jenkins is getting ready to work'
        SimResponse r = SimResponse.text(503, 'text/html;charset=UTF-8',
            '<!DOCTYPE html><html><head><title>Starting Jenkins</title>' +
            '<script>window.setTimeout(function(){window.location.reload()}, 5000)</script></head>' +
            '<body><h1>' + msg + ' ...</h1><p>Your browser will reload automatically when Jenkins is ready.</p></body></html>\n')
        r.header('Expires', '0')
        r.header('Cache-Control', 'no-cache,no-store,must-revalidate')
        r
    }

    /** The 403 of AccessDeniedException3: login-refresh page for anonymous, "Access Denied" otherwise. */
    static SimResponse forbidden(SimRequest req, Authentication a, Permission p) {
        boolean anonymous = hudson.security.ACL.isAnonymous2(a)
        SimResponse r
        if (anonymous && req.header('X-Requested-With') == 'XMLHttpRequest') {
            r = SimResponse.error(403, 'Forbidden', req.uri())
            SimServer.withJenkinsHeaders(r)
        } else if (anonymous) {
            String from = URLEncoder.encode(req.uri(), 'UTF-8')
            String login = SimServer.contextPath + '/login?from=' + from
            r = html(403, '<html><head><meta http-equiv=\'refresh\' content=\'1;url=' + SimResponse.escape(login) + '\'/>' +
                '<script id=\'redirect\' data-redirect-url=\'' + SimResponse.escape(login) + '\' src=\'' + SimServer.contextPath + '/static/redirect.js\'></script></head>' +
                '<body style=\'background-color:white; color:white;\'>\nAuthentication required\n<!--\n' +
                'You are authenticated as: anonymous\nGroups that you are in:\n  \n' +
                'Permission you need to have (but didn\'t): ' + p.id + '\n' + impliedByComment(p) + '-->\n\n</body></html>\n')
        } else {
            String msg = a.name + ' is missing the ' + p + ' permission'
            r = html(403, '<!DOCTYPE html><html><head><title>Access Denied [Jenkins]</title></head><body>' +
                '<div id="main-panel"><h1>Access Denied</h1><p>' + SimResponse.escape(msg) + '</p></div></body></html>\n')
        }
        r.header('X-You-Are-Authenticated-As', a.name)
        r.header('X-You-Are-In-Group-Disabled', GROUP_HEADER)
        r.header('X-Required-Permission', p.id)
        for (Permission q = p.impliedBy; q != null; q = q.impliedBy) {
            r.header('X-Permission-Implied-By', q.id)
        }
        r
    }

    private static String impliedByComment(Permission p) {
        StringBuilder sb = new StringBuilder()
        for (Permission q = p.impliedBy; q != null; q = q.impliedBy) {
            sb.append(' ... which is implied by: ').append(q.id).append('\n')
        }
        sb.toString()
    }

    static SimResponse notFound(SimRequest req) {
        if (jenkins.model.Jenkins.getVersion().isOlderThan(new hudson.util.VersionNumber('2.421'))) {
            // Before 2.421 (JENKINS-71087) a 404 is the servlet container's own page: no X-Jenkins.
            return SimResponse.error(404, 'Not Found', req.uri())
        }
        html(404, '<!DOCTYPE html><html><head><title>Not Found [Jenkins]</title></head><body><div id="main-panel">' +
            '<h1>Not Found</h1><p>This page may not exist, or you may not have permission to see it.</p></div></body></html>\n')
    }

    /** InstallUncaughtExceptionHandler's "oops" page; no stack trace (shouldShowStackTrace is false by default). */
    static SimResponse oops(int status) {
        html(status, '<!DOCTYPE html><html><head><title>Jenkins [Jenkins]</title></head><body><div id="main-panel">' +
            '<h1>Oops!</h1><div id="error-description"><h2>A problem occurred while processing the request</h2>' +
            '<p>Logging ID=' + UUID.randomUUID() + '</p></div></div></body></html>\n')
    }

    /** CrumbFilter.ErrorCustomizer's page for GET on a @RequirePOST action. */
    static SimResponse requirePost(SimRequest req) {
        SimResponse r = html(405, '<!DOCTYPE html><html><head><title>This URL requires POST [Jenkins]</title></head><body>' +
            '<div id="main-panel"><h1>This URL requires POST</h1><p>The URL you\'re trying to access requires that requests be sent using POST ' +
            '(like a form submission). The button below allows you to retry accessing this URL using POST.</p>' +
            '<form method="POST" action="' + SimResponse.escape(req.uri()) + '"><input type="submit" value="Proceed"/></form></div></body></html>\n')
        r.header('Allow', 'POST')
        r
    }
}
