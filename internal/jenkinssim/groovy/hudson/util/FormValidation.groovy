package hudson.util

// Jenkins's form-check result, also thrown as an IOException (User.save() for a prohibited id or
// full name). Its toString is "<KIND>: <message>", so a stack trace line reads "ERROR: ...", and
// error() HTML-escapes the message as hudson.Util.escape does.
abstract class FormValidation extends IOException {
    enum Kind { OK, WARNING, ERROR }

    final Kind kind

    protected FormValidation(Kind kind, String message) {
        super(message)
        this.kind = kind
    }

    static FormValidation error(String message) { errorWithMarkup(escape(message)) }

    static FormValidation errorWithMarkup(String message) { new Markup(Kind.ERROR, message) }

    String toString() { kind.toString() + ': ' + getMessage() }

    /** hudson.Util.escape: the HTML escapes Jenkins applies to form messages. */
    static String escape(String text) {
        if (text == null) {
            return null
        }
        StringBuilder buf = new StringBuilder(text.length() + 64)
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i)
            switch (ch) {
                case '\n': buf.append('<br>'); break
                case '<': buf.append('&lt;'); break
                case '>': buf.append('&gt;'); break
                case '&': buf.append('&amp;'); break
                case '"': buf.append('&quot;'); break
                case '\'': buf.append('&#039;'); break
                case ' ':
                    char next = i + 1 < text.length() ? text.charAt(i + 1) : (char) 0
                    buf.append(next == (char) ' ' ? '&nbsp;' : ' ')
                    break
                default: buf.append(ch)
            }
        }
        buf.toString()
    }

    private static class Markup extends FormValidation {
        Markup(Kind kind, String message) { super(kind, message) }
    }
}
