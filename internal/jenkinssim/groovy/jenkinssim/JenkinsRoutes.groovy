package jenkinssim

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import hudson.model.AdministrativeMonitor
import hudson.model.User
import hudson.security.ACL
import hudson.security.ACLContext
import hudson.security.AccessDeniedException3
import hudson.security.HudsonPrivateSecurityRealm
import hudson.security.csrf.CrumbIssuer
import jenkins.model.Jenkins
import jenkins.security.ApiTokenProperty
import jenkins.security.apitoken.ApiTokenPropertyConfiguration
import jenkins.security.apitoken.LegacyApiTokenAdministrativeMonitor
import jenkins.security.seed.UserSeedProperty
import org.springframework.security.access.AccessDeniedException
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken
import org.springframework.security.core.Authentication
import org.springframework.security.core.userdetails.UserDetails
import org.springframework.security.core.userdetails.UsernameNotFoundException

import java.security.MessageDigest

// The filter chain (Basic auth, CSRF, Overall/Read) and the URL space of Jenkins.
class JenkinsRoutes {
    static final Set<String> ALWAYS_READABLE = ['login', 'logout', 'signup', 'error', 'oops', '404', 'adjuncts',
                                                'securityRealm', 'tcpSlaveAgentListener', 'whoAmI', 'static'] as Set
    static final List<String> TOKEN_ACTIONS = ['generateNewToken', 'addFixedToken', 'rename', 'revoke', 'revokeAll',
                                               'revokeAllExcept', 'changeToken']

    static SimResponse serve(SimRequest req) {
        Jenkins j = Jenkins.get()
        // 1. Basic authentication (BasicHeaderProcessor): API token first, then the real password.
        Authentication auth = ACL.ANONYMOUS
        boolean viaToken = false
        String authz = req.header('Authorization')
        if (authz != null && authz.length() >= 6 && authz.substring(0, 6).equalsIgnoreCase('Basic ')) {
            String decoded
            try {
                // Strict decoder, nothing trimmed: extra blanks or line breaks make the header malformed (401).
                decoded = new String(Base64.decoder.decode(authz.substring(6).getBytes('UTF-8')), 'UTF-8')
            } catch (IllegalArgumentException ignored) {
                decoded = ''
            }
            int colon = decoded.indexOf(':')
            if (colon < 0) {
                return unauthorized(req)
            }
            String username = decoded.substring(0, colon)
            String password = decoded.substring(colon + 1)
            User tokenUser = apiTokenUser(j, username, password)
            if (tokenUser != null) {
                try {
                    // BasicHeaderApiTokenAuthenticator.java:36-37: the user's details for
                    // impersonation (the last recorded authorities when the realm cannot tell).
                    UserDetails d = tokenUser.getUserDetailsForImpersonation2()
                    auth = new UsernamePasswordAuthenticationToken(tokenUser.id, d.authorities)
                } catch (UsernameNotFoundException e) {
                    // BasicHeaderApiTokenAuthenticator.java:40-44: a ServletException.
                    return Pages.oops(500)
                } catch (RuntimeException e) {
                    // A disabled, locked or expired directory account (AccountStatusException) or a
                    // realm that fails to answer: BasicHeaderApiTokenAuthenticator catches only
                    // UsernameNotFoundException (BasicHeaderApiTokenAuthenticator.java:40), and
                    // User.getUserDetailsForImpersonation2 lets the rest through whatever
                    // allowNonExistentUserToLogin says (User.java:455-468), so the exception
                    // leaves the filter chain: the request fails, the token is refused.
                    return Pages.oops(500)
                }
                viaToken = true
            } else {
                String pwName = Boolean.getBoolean('jenkins.security.ignoreBasicAuth') ? null :
                    ((HudsonPrivateSecurityRealm) j.securityRealm).simAuthenticate(username, password)
                if (pwName == null) {
                    return unauthorized(req)
                }
                auth = new UsernamePasswordAuthenticationToken(pwName, ['authenticated'])
            }
        }
        String sessionId = req.cookie(SimServer.cookieName)
        if (sessionId != null && !SimServer.SESSIONS.contains(sessionId)) {
            sessionId = null
        }

        // 2. CSRF (CrumbFilter): POST only; a request authenticated by an API token is exempt.
        CrumbIssuer issuer = j.crumbIssuer
        if (req.method == 'POST' && issuer != null && !viaToken) {
            String crumb = req.header(issuer.crumbRequestField) ?: req.param(issuer.crumbRequestField)
            if (!issuer.validateCrumb(auth.name, sessionId, crumb)) {
                // CrumbFilter: httpResponse.sendError(403, ...): a container error page, no X-Jenkins.
                return SimResponse.error(403, 'No valid crumb was included in the request', req.uri())
            }
        }

        List<String> seg = req.rel.split('/').findAll { it }.collect { decode(it) } as List<String>
        ACLContext ctx = ACL.as2(auth)
        try {
            // 3. Overall/Read at the root, except for always-readable paths.
            if (!(seg && ALWAYS_READABLE.contains(seg[0])) && !j.hasPermission(Jenkins.READ)) {
                return Pages.forbidden(req, auth, Jenkins.READ)
            }
            return route(req, seg, auth, sessionId)
        } catch (AccessDeniedException3 e) {
            return Pages.forbidden(req, e.authentication, e.permission)
        } catch (AccessDeniedException e) {
            return Pages.forbidden(req, auth, Jenkins.READ)
        } catch (Throwable t) {
            System.err.println('jenkins-sim: 500 on ' + req.method + ' ' + req.uri() + ': ' + t.class.name)
            return Pages.oops(500)
        } finally {
            ctx.close()
        }
    }

    /** BasicApiTokenHelper.isConnectingUsingApiToken: the user whose token matches, or null. */
    static User apiTokenUser(Jenkins j, String username, String password) {
        User u = User.getById(username, false)
        if (u != null) {
            ApiTokenProperty p = u.getProperty(ApiTokenProperty)
            return (p != null && p.matchesPassword(password)) ? u : null
        }
        if (ApiTokenPropertyConfiguration.get().isTokenGenerationOnCreationEnabled()) {
            String legacy = MessageDigest.getInstance('MD5').digest(ApiTokenProperty.API_KEY_SEED.mac(username).getBytes('UTF-8')).encodeHex().toString()
            if (MessageDigest.isEqual(legacy.getBytes('UTF-8'), password.getBytes('UTF-8'))) {
                return User.getById(username, true)
            }
        }
        null
    }

    static SimResponse unauthorized(SimRequest req) {
        // Spring's BasicAuthenticationEntryPoint: no X-Jenkins headers on this path (JENKINS.md 5.2).
        SimResponse r = SimResponse.error(401, 'Unauthorized', req.uri())
        r.header('WWW-Authenticate', 'Basic realm="Jenkins"')
        r
    }

    static String decode(String s) { URLDecoder.decode(s.replace('+', '%2B'), 'UTF-8') }

    static SimResponse apiJson(Object data) {
        SimResponse r = SimResponse.text(200, 'application/json;charset=utf-8', JsonOutput.toJson(data))
        r.header('X-Content-Type-Options', 'nosniff')
        r.header('X-Frame-Options', 'deny')
        SimServer.withJenkinsHeaders(r)
    }

    static SimResponse route(SimRequest req, List<String> seg, Authentication auth, String sessionId) {
        Jenkins j = Jenkins.get()
        String head = seg ? seg[0] : ''
        switch (head) {
            case '':
                return Pages.html(200, '<!DOCTYPE html><html><head><title>Dashboard [Jenkins]</title></head><body><h1>Welcome to Jenkins!</h1></body></html>\n')
            case 'api':
                if (seg.size() == 2 && seg[1] == 'json') {
                    return apiJson(rootApi(j))
                }
                break
            case 'login':
                return Pages.html(200, '<!DOCTYPE html><html><head><title>Sign in [Jenkins]</title></head><body><form method="post" action="j_spring_security_check"></form></body></html>\n')
            case 'whoAmI':
                if (seg.size() == 3 && seg[1] == 'api' && seg[2] == 'json') {
                    return apiJson(whoAmI(auth))
                }
                if (seg.size() == 3 && seg[1] == 'api' && seg[2] == 'xml') {
                    Map w = whoAmI(auth)
                    String xml = '<whoAmI _class="hudson.security.WhoAmI"><anonymous>' + w.anonymous + '</anonymous><authenticated>true</authenticated>' +
                        w.authorities.collect { '<authority>' + SimResponse.escape(it) + '</authority>' }.join('') +
                        '<name>' + SimResponse.escape(w.name) + '</name></whoAmI>'
                    return SimServer.withJenkinsHeaders(SimResponse.text(200, 'application/xml;charset=utf-8', xml))
                }
                if (seg.size() == 1) {
                    return Pages.html(200, '<!DOCTYPE html><html><head><title>Who Am I [Jenkins]</title></head><body><table><tr><td>Name:</td><td>' +
                        SimResponse.escape(auth.name) + '</td></tr></table></body></html>\n')
                }
                break
            case 'crumbIssuer':
                return crumbIssuer(req, seg, j, auth, sessionId)
            case 'scriptText':
            case 'script':
                if (seg.size() == 1) {
                    return scriptConsole(req, head == 'scriptText')
                }
                break
            case 'me':
                return userRoutes(req, j.getMe(), seg.subList(1, seg.size()))
            case 'user':
                if (seg.size() >= 2) {
                    User u = j.getUser(seg[1])
                    if (u == null) {
                        return Pages.notFound(req)
                    }
                    return userRoutes(req, u, seg.subList(2, seg.size()))
                }
                break
            case 'administrativeMonitor':
                if (seg.size() >= 2) {
                    return monitor(req, j, seg)
                }
                break
        }
        Pages.notFound(req)
    }

    static Map rootApi(Jenkins j) {
        String root = j.rootUrl
        Map view = [_class: 'hudson.model.AllView', name: 'all', url: root]
        Map m = new LinkedHashMap()
        m._class = 'hudson.model.Hudson'
        m.assignedLabels = [[name: 'built-in']]
        m.mode = 'NORMAL'
        m.nodeDescription = 'the Jenkins controller\'s built-in node'
        m.nodeName = ''
        m.numExecutors = 2
        m.description = null
        m.jobs = []
        m.overallLoad = [:]
        m.primaryView = view
        m.quietDownReason = null
        m.quietingDown = false
        m.slaveAgentPort = -1
        m.unlabeledLoad = [_class: 'jenkins.model.UnlabeledLoadStatistics']
        m.url = root
        m.useCrumbs = j.crumbIssuer != null
        m.useSecurity = true
        m.views = [view]
        m
    }

    static Map whoAmI(Authentication auth) {
        Map m = new LinkedHashMap()
        m._class = 'hudson.security.WhoAmI'
        m.anonymous = ACL.isAnonymous2(auth)
        m.authenticated = true
        m.authorities = new ArrayList(auth.authorities)
        m.name = auth.name
        m
    }

    static SimResponse crumbIssuer(SimRequest req, List<String> seg, Jenkins j, Authentication auth, String sessionId) {
        CrumbIssuer issuer = j.crumbIssuer
        if (issuer == null || seg.size() != 3 || seg[1] != 'api' || !(seg[2] in ['json', 'xml', 'python'])) {
            return Pages.notFound(req)
        }
        if (seg[2] == 'json' && req.param('jsonp') != null) {
            return SimServer.withJenkinsHeaders(SimResponse.error(403, 'Forbidden', req.uri()))
        }
        SimResponse r
        String sid = sessionId
        boolean created = false
        if (sid == null) {
            // req.getSession() creates a session: the client must send the cookie back with the crumb.
            sid = SimServer.hex(16)
            SimServer.SESSIONS.add(sid)
            created = true
        }
        String crumb = issuer.issueCrumb(auth.name, sid)
        String field = issuer.crumbRequestField
        Map m = new LinkedHashMap()
        m._class = 'hudson.security.csrf.DefaultCrumbIssuer'
        m.crumb = crumb
        m.crumbRequestField = field
        if (seg[2] == 'json') {
            r = apiJson(m)
        } else if (seg[2] == 'python') {
            // Stapler's Python flavor: the JSON text for a map of strings.
            r = apiHeaders(SimResponse.text(200, 'text/x-python;charset=UTF-8', JsonOutput.toJson(m)))
        } else {
            r = crumbXml(req, field, crumb)
        }
        if (created) {
            r.header('Set-Cookie', SimServer.cookieName + '=' + sid + '; Path=' + (SimServer.contextPath ?: '/') + '; HttpOnly')
        }
        r
    }

    /** Api.setHeaders: what every /api/ answer carries. */
    static SimResponse apiHeaders(SimResponse r) {
        r.header('X-Content-Type-Options', 'nosniff')
        r.header('X-Frame-Options', 'deny')
        SimServer.withJenkinsHeaders(r)
    }

    /** CrumbIssuer.RestrictedApi.doXml: four XPath expressions used by clients answer text; others go to Api.doXml. */
    static SimResponse crumbXml(SimRequest req, String field, String crumb) {
        String xpath = req.param('xpath')
        String text = null
        switch (xpath) {
            case '/*/crumbRequestField/text()': text = field; break
            case '/*/crumb/text()': text = crumb; break
            case 'concat(//crumbRequestField,":",//crumb)': text = field + ':' + crumb; break
            case "concat(//crumbRequestField,'=',//crumb)":
                if (field.startsWith('.') || field.contains('-')) {
                    text = field + '=' + crumb
                }
                break
        }
        if (text != null) {
            return apiHeaders(SimResponse.text(200, 'text/plain;charset=UTF-8', text))
        }
        apiXml(req, '<defaultCrumbIssuer _class="hudson.security.csrf.DefaultCrumbIssuer"><crumb>' + crumb + '</crumb><crumbRequestField>' +
            SimResponse.escape(field) + '</crumbRequestField></defaultCrumbIssuer>', xpath)
    }

    /** Api.doXml: the whole XML, or the one node an xpath selects; a primitive result (text, string, number) is refused. */
    static SimResponse apiXml(SimRequest req, String xml, String xpath) {
        if (xpath == null) {
            return apiHeaders(SimResponse.text(200, 'application/xml;charset=utf-8', xml))
        }
        org.w3c.dom.Document dom = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new org.xml.sax.InputSource(new StringReader(xml)))
        javax.xml.xpath.XPathExpression expr = javax.xml.xpath.XPathFactory.newInstance().newXPath().compile(xpath)
        org.w3c.dom.NodeList nodes = null
        try {
            nodes = (org.w3c.dom.NodeList) expr.evaluate(dom, javax.xml.xpath.XPathConstants.NODESET)
        } catch (javax.xml.xpath.XPathExpressionException ignored) {
            // a string, number or boolean: simple output
        }
        if (nodes != null && nodes.length == 0) {
            return apiHeaders(SimResponse.text(404, null, 'XPath ' + xpath + ' didn\u2019t match'))
        }
        if (nodes != null && nodes.length > 1) {
            return apiHeaders(SimResponse.text(500, null, 'XPath "' + xpath + '" matched ' + nodes.length + ' nodes. ' +
                'Create XPath that only matches one, or use the "wrapper" query parameter to wrap them all under a root element.'))
        }
        org.w3c.dom.Node node = nodes?.item(0)
        if (node == null || node instanceof org.w3c.dom.CharacterData) {
            return apiHeaders(SimResponse.error(403, 'primitive XPath result sets forbidden; implement jenkins.security.SecureRequester', req.uri()))
        }
        javax.xml.transform.Transformer tf = javax.xml.transform.TransformerFactory.newInstance().newTransformer()
        tf.setOutputProperty(javax.xml.transform.OutputKeys.OMIT_XML_DECLARATION, 'yes')
        StringWriter sw = new StringWriter()
        tf.transform(new javax.xml.transform.dom.DOMSource(node), new javax.xml.transform.stream.StreamResult(sw))
        apiHeaders(SimResponse.text(200, 'application/xml;charset=UTF-8', sw.toString()))
    }

    static SimResponse scriptConsole(SimRequest req, boolean plain) {
        Jenkins j = Jenkins.get()
        j.checkPermission(Jenkins.ADMINISTER)
        String script = req.param('script')
        if (script != null && req.method != 'POST') {
            return Pages.oops(405)
        }
        String output = script == null ? null : hudson.util.RemotingDiagnostics.executeGroovy(script)
        if (plain) {
            // _scriptText.jelly renders with l:view, which does not advertise X-Jenkins.
            return SimResponse.text(200, 'text/plain;charset=UTF-8', output ?: '')
        }
        String page = '<!DOCTYPE html><html><head><title>Script Console [Jenkins]</title></head><body><h1>Script Console</h1>' +
            '<form method="post"><textarea name="script">' + SimResponse.escape(script ?: '') + '</textarea></form>' +
            (output == null ? '' : '<h2>Result</h2><pre>' + SimResponse.escape(output) + '</pre>') + '</body></html>\n'
        Pages.html(200, page)
    }

    static SimResponse userRoutes(SimRequest req, User u, List<String> rest) {
        if (rest.isEmpty()) {
            return Pages.html(200, '<!DOCTYPE html><html><head><title>' + SimResponse.escape(u.fullName) + ' [Jenkins]</title></head><body><h1>' +
                SimResponse.escape(u.fullName) + '</h1><p>Jenkins User ID: ' + SimResponse.escape(u.id) + '</p></body></html>\n')
        }
        if (rest.size() == 2 && rest[0] == 'api' && rest[1] == 'json') {
            Map m = new LinkedHashMap()
            m._class = 'hudson.model.User'
            m.absoluteUrl = u.absoluteUrl
            m.description = u.description
            m.fullName = u.fullName
            m.id = u.id
            m.property = u.getProperties().values().collect { [_class: it.getClass().name] }
            return apiJson(m)
        }
        if (rest.size() >= 3 && rest[0] == 'descriptorByName') {
            def d = Jenkins.get().getDescriptor(rest[1])
            String action = rest[2]
            if (d instanceof UserSeedProperty.DescriptorImpl && rest.size() == 3 && action == 'renewSessionSeed') {
                // @RequirePOST doRenewSessionSeed(@AncestorInPath User): the user of the URL.
                if (req.method != 'POST') {
                    return Pages.requirePost(req)
                }
                return ((UserSeedProperty.DescriptorImpl) d).doRenewSessionSeed(u, req.uri())
            }
            if (!(d instanceof ApiTokenProperty.DescriptorImpl) || rest.size() > 3 || !(action in TOKEN_ACTIONS)) {
                return Pages.notFound(req)
            }
            if (req.method != 'POST') {
                return Pages.requirePost(req)
            }
            return tokenAction(req, (ApiTokenProperty.DescriptorImpl) d, u, action)
        }
        Pages.notFound(req)
    }

    static boolean hasExpiration() {
        !Jenkins.getVersion().isOlderThan(new hudson.util.VersionNumber('2.548'))
    }

    static SimResponse tokenAction(SimRequest req, ApiTokenProperty.DescriptorImpl d, User u, String action) {
        SimResponse r
        switch (action) {
            case 'generateNewToken':
                r = hasExpiration() ?
                    d.doGenerateNewToken(u, req.param('newTokenName'), req.param('tokenExpiration'), req.param('expirationDuration')) :
                    d.doGenerateNewToken(u, req.param('newTokenName'))
                break
            case 'addFixedToken':
                r = hasExpiration() ?
                    d.doAddFixedToken(u, req.param('newTokenName'), req.param('newTokenPlainValue'), req.param('tokenExpiration'), req.param('expirationDuration')) :
                    d.doAddFixedToken(u, req.param('newTokenName'), req.param('newTokenPlainValue'))
                break
            case 'rename':
                r = d.doRename(u, req.param('tokenUuid'), req.param('newName'))
                break
            case 'revoke':
                r = d.doRevoke(u, req.param('tokenUuid'), req.uri())
                break
            case 'revokeAll':
                r = d.doRevokeAll(u, req.uri())
                break
            case 'revokeAllExcept':
                r = d.doRevokeAllExcept(u, req.param('tokenUuid'), req.uri())
                break
            case 'changeToken':
                r = d.doChangeToken(u)
                break
            default:
                return Pages.notFound(req)
        }
        // HttpResponses.ok()/okJSON()/errorJSON() and Stapler's errors: no X-Jenkins header.
        r
    }

    static SimResponse monitor(SimRequest req, Jenkins j, List<String> seg) {
        AdministrativeMonitor m = j.getAdministrativeMonitor(seg[1])
        if (m == null) {
            return Pages.notFound(req)
        }
        m.checkRequiredPermission()
        String action = seg.size() > 2 ? seg[2] : ''
        String base = j.rootUrl + 'administrativeMonitor/' + m.id + '/'
        if (action == '' && seg.size() == 2) {
            return SimServer.withJenkinsHeaders(SimResponse.redirect(base + 'manage'))
        }
        if (action == 'disable') {
            if (req.method != 'POST') {
                return Pages.requirePost(req)
            }
            m.disable(true)
            return SimServer.withJenkinsHeaders(SimResponse.redirect(j.rootUrl + 'manage'))
        }
        if (!(m instanceof LegacyApiTokenAdministrativeMonitor)) {
            return Pages.notFound(req)
        }
        LegacyApiTokenAdministrativeMonitor legacy = (LegacyApiTokenAdministrativeMonitor) m
        if (action == 'manage' && seg.size() == 3) {
            return Pages.html(200, LegacyPage.render(legacy))
        }
        if (action == 'revokeAllSelected' && seg.size() == 3) {
            if (req.method != 'POST') {
                return Pages.requirePost(req)
            }
            String ct = req.header('Content-Type') ?: ''
            if (!ct.toLowerCase(Locale.ENGLISH).startsWith('application/json')) {
                return Pages.oops(500) // Stapler's @JsonBody refuses other content types
            }
            Map body = (Map) new JsonSlurper().parse(req.body, 'UTF-8')
            LegacyApiTokenAdministrativeMonitor.RevokeAllSelectedModel model = new LegacyApiTokenAdministrativeMonitor.RevokeAllSelectedModel()
            List values = (List) (body?.values ?: [])
            model.values = values.collect { Map v ->
                def x = new LegacyApiTokenAdministrativeMonitor.RevokeAllSelectedUserAndUuid()
                x.userId = v.userId
                x.uuid = v.uuid
                x
            } as LegacyApiTokenAdministrativeMonitor.RevokeAllSelectedUserAndUuid[]
            return SimServer.withJenkinsHeaders(legacy.doRevokeAllSelected(model))
        }
        Pages.notFound(req)
    }
}
