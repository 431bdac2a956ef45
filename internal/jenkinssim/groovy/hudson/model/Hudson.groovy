package hudson.model

import jenkins.model.Jenkins

// Jenkins.get() returns a Hudson, as in real Jenkins (hence `_class":"hudson.model.Hudson"`).
class Hudson extends Jenkins {
    Hudson() { super() }
}
