// Package jenkinssim starts and drives the Jenkins simulator: a Groovy 2.4.21 program that
// serves Jenkins's HTTP API for user API tokens and runs script-console scripts against
// stand-in classes bearing Jenkins's own names (see README.md and ../../../shared/JENKINS.md).
package jenkinssim

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

//go:embed groovy
var groovySources embed.FS

// startTimeout bounds how long Start waits for the JVM's ready line; a fleet gets
// startTimeoutPerController more for each controller after the first (see startTimeoutFor).
const (
	startTimeout              = 60 * time.Second
	startTimeoutPerController = time.Second
)

// Options configure Start, or one controller of StartFleet. Zero values select the defaults.
// In a fleet, TLSCertFile, TLSKeyFile, TimeZone, SystemProperties and Log are the JVM's: equal
// for every controller (a zero value takes the first controller's).
type Options struct {
	Listen        string // default "127.0.0.1:0" (random free port)
	AdminUser     string // default "admin"
	AdminPassword string // default "admin"
	ContextPath   string // "" or e.g. "/jenkins"
	Version       string // default "2.579"
	TLSCertFile   string // optional PEM certificate: serve HTTPS (JVM-wide)
	TLSKeyFile    string // optional PKCS#8 PEM key (JVM-wide)
	// TimeZone is the simulated JVM's default time zone (an IANA name such as
	// "Pacific/Kiritimati"), which decides Jenkins's "today" for token expiry. Default "UTC".
	// JVM-wide.
	TimeZone string
	// IDStrategy is the security realm's user id strategy: "case-insensitive" (default, as
	// Jenkins's own user database), "case-sensitive" or "case-sensitive-email".
	IDStrategy string
	// RealmLookup "unsupported" makes the security realm one that cannot look users up (many SSO
	// realms): every lookup answers UserMayOrMayNotExistException2, and API tokens of any user
	// with a record still log in, as in Jenkins. Default "supported".
	RealmLookup string
	// RealmDirectory makes the realm's lookups write user records as a directory realm plugin's
	// do: "ldap" (the ldap plugin: on the request thread, a save at the first lookup of a user
	// with a mail address) or "active-directory" (the active-directory plugin: on a background
	// thread, a save at every lookup when the directory holds no mail address; see
	// SetRealmDirectory). Empty or "none": Jenkins's own user database, whose lookups write nothing.
	RealmDirectory string
	// RealmLatency is how long each realm lookup takes, as a round trip to a directory (LDAP,
	// Active Directory) does: every call into the realm a directory would answer
	// (loadUserByUsername2, the Acegi loadUserByUsername, the lookup of every API token login,
	// User.get's check of an id) sleeps that long on the calling thread. Counted as
	// "realmLookup" in Stats. Zero: none. Changed at run time by SetLatency.
	RealmLatency time.Duration
	// SaveLatency is how long each save of a user record (User.save()) takes, as a slow disk or
	// NFS share under $JENKINS_HOME does. Zero: none. Changed at run time by SetLatency.
	SaveLatency time.Duration
	// RealmRespell "lowercase" makes the security realm one that answers a lookup with the name
	// lower-cased, as the ldap plugin does with -Dhudson.security.LDAPSecurityRealm.forceUsernameLowercase=true
	// (LDAPSecurityRealm.loadUserByUsername2 looks up and answers fixUsername(username); with
	// RealmDirectory "ldap" the lookup also makes the user record under that spelling, as the
	// plugin's updateUserDetails does). Under a case-sensitive IDStrategy, "Alice" then becomes
	// Jenkins's user "alice". Default "none".
	RealmRespell string
	// Plugins are reported as installed and active: "shortName" (version 1.0) or
	// "shortName:version", e.g. "operations-center-server" (a CloudBees CI operations center) or
	// "operations-center-client" (a controller joined to one). Scripts see them through
	// Jenkins.get().pluginManager.getPlugin(shortName) and Jenkins.get().getPlugin(shortName).
	Plugins []string
	// SystemProperties are set on the simulated JVM (-Dname=value), as an admin sets Jenkins's
	// own switches, for example hudson.model.User.allowNonExistentUserToLogin. JVM-wide.
	SystemProperties map[string]string
	Log              io.Writer // the JVM's standard error and its other output (JVM-wide)
}

// Sim is a running simulator: one controller, alone in its JVM (Start) or one of a fleet's
// (StartFleet).
type Sim struct {
	URL           string // Jenkins base URL including the context path, ends with "/"
	RootURL       string // server root, ends with "/", for /__sim/
	AdminUser     string
	AdminPassword string

	client      *simClient
	tlsCertFile string // the certificate and key it serves HTTPS with, for Proxy
	tlsKeyFile  string
	jvm         *jvm
	index       int  // its place in the fleet: the control channel's controller number
	solo        bool // started by Start: Close ends the JVM
}

// Start starts a JVM running one simulated controller (a fleet of one) and returns once it
// answers.
func Start(ctx context.Context, opts Options) (*Sim, error) {
	f, err := StartFleet(ctx, []Options{opts})
	if err != nil {
		return nil, err
	}
	s := f.Controllers[0]
	s.solo = true
	return s, nil
}

// Close ends the JVM and removes its temporary directory when s was started by Start. For a
// controller of a fleet, it makes that controller unreachable (SetReachable false); the JVM
// runs until Fleet.Close.
func (s *Sim) Close() error {
	if s.solo {
		return s.jvm.close()
	}
	select {
	case <-s.jvm.done:
		return nil
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.SetReachable(ctx, false)
}

// Done is closed when the JVM has exited.
func (s *Sim) Done() <-chan struct{} { return s.jvm.done }

func writeSources(dst, version string) error {
	return fs.WalkDir(groovySources, "groovy", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(path, "groovy"), "/")
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		raw, err := groovySources.ReadFile(path)
		if err != nil {
			return err
		}
		out, err := preprocess(string(raw), version)
		if err != nil {
			return fmt.Errorf("jenkinssim: %s: %w", path, err)
		}
		if onlyPackage(out) {
			// A class that does not exist in this version (a whole file gated out): Groovy
			// would compile the package line alone into a script class of the file's name.
			return nil
		}
		return os.WriteFile(target, []byte(out), 0o644)
	})
}

// onlyPackage reports whether a Groovy source holds nothing but comments, blank lines and its
// package line.
func onlyPackage(src string) bool {
	for _, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "//") && !strings.HasPrefix(t, "package ") {
			return false
		}
	}
	return true
}

func findJava() (string, error) {
	if p, err := exec.LookPath("java"); err == nil {
		return p, nil
	}
	if home := os.Getenv("JAVA_HOME"); home != "" {
		p := filepath.Join(home, "bin", "java")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("jenkinssim: no java found on PATH or in JAVA_HOME; install Java 17 (apt-get install -y openjdk-17-jre-headless) and Groovy (apt-get install -y groovy)")
}

func findGroovyLib() (string, error) {
	var candidates []string
	if home := os.Getenv("GROOVY_HOME"); home != "" {
		candidates = append(candidates, filepath.Join(home, "lib"))
	}
	candidates = append(candidates, "/usr/share/groovy/lib")
	for _, dir := range candidates {
		if matches, _ := filepath.Glob(filepath.Join(dir, "groovy-2.4*.jar")); len(matches) > 0 {
			return dir, nil
		}
		if matches, _ := filepath.Glob(filepath.Join(dir, "groovy-all-2.4*.jar")); len(matches) > 0 {
			return dir, nil
		}
	}
	return "", errors.New("jenkinssim: Groovy 2.4 jars not found in $GROOVY_HOME/lib or /usr/share/groovy/lib; install them with: apt-get install -y groovy")
}

// maxLatency bounds RealmLatency and SaveLatency (the simulator's own limit).
const maxLatency = time.Hour

func checkLatency(realm, save time.Duration) error {
	for _, d := range []time.Duration{realm, save} {
		if d < 0 || d > maxLatency {
			return fmt.Errorf("jenkinssim: latency %s: want 0 to %s", d, maxLatency)
		}
	}
	return nil
}

// latencyMS is d in milliseconds as the simulator reads them (fractions allowed).
func latencyMS(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}
