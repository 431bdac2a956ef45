package jenkinssim

import groovy.json.JsonOutput

// What Stapler's HttpResponse renders: status, headers and body. Built by the stand-ins'
// web methods (do*), written to the wire by SimServer.
class SimResponse {
    int status = 200
    String contentType
    Map<String, List<String>> headers = new LinkedHashMap<String, List<String>>()
    byte[] body = new byte[0]

    SimResponse header(String name, String value) {
        headers.computeIfAbsent(name) { new ArrayList<String>() }.add(value)
        this
    }

    static SimResponse ok() { new SimResponse() }

    static SimResponse forbidden() { new SimResponse(status: 403) }

    static SimResponse text(int status, String contentType, String body) {
        new SimResponse(status: status, contentType: contentType, body: body.getBytes('UTF-8'))
    }

    static SimResponse json(Map envelope) {
        text(200, 'application/json;charset=UTF-8', JsonOutput.toJson(envelope))
    }

    /** hudson.util.HttpResponses.okJSON(), okJSON(data) and errorJSON(message): always HTTP 200. */
    static SimResponse okJSON(Map data = null) {
        Map m = new LinkedHashMap()
        m.status = 'ok'
        if (data != null) {
            m.data = data
        }
        json(m)
    }

    static SimResponse errorJSON(String message) {
        Map m = new LinkedHashMap()
        m.status = 'error'
        m.message = message
        json(m)
    }

    static SimResponse redirect(String location) {
        new SimResponse(status: 302).header('Location', location)
    }

    /** A container error page (sendError), as Jetty renders it. */
    static SimResponse error(int status, String message, String uri) {
        String m = escape(message)
        String html = '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n' +
            '<title>Error ' + status + ' ' + m + '</title>\n</head>\n<body>\n<h2>HTTP ERROR ' + status + ' ' + m + '</h2>\n<table>\n' +
            '<tr><th>URI:</th><td>' + escape(uri) + '</td></tr>\n<tr><th>STATUS:</th><td>' + status + '</td></tr>\n' +
            '<tr><th>MESSAGE:</th><td>' + m + '</td></tr>\n<tr><th>SERVLET:</th><td>Stapler</td></tr>\n</table>\n\n</body>\n</html>\n'
        text(status, 'text/html;charset=iso-8859-1', html)
    }

    static String escape(String s) {
        s == null ? '' : s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;').replace("'", '&#39;')
    }
}
