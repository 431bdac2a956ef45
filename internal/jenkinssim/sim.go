// Package jenkinssim starts and drives the Jenkins simulator: a Groovy 2.4.21 program that
// serves Jenkins's HTTP API for user API tokens and runs script-console scripts against
// stand-in classes bearing Jenkins's own names (see README.md and ../../../shared/JENKINS.md).
package jenkinssim

import (
	"bufio"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed groovy
var groovySources embed.FS

// startTimeout bounds how long Start waits for the JVM's ready line.
const startTimeout = 60 * time.Second

// Options configure Start. Zero values select the defaults.
type Options struct {
	Listen        string // default "127.0.0.1:0" (random free port)
	AdminUser     string // default "admin"
	AdminPassword string // default "admin"
	ContextPath   string // "" or e.g. "/jenkins"
	Version       string // default "2.579"
	TLSCertFile   string // optional PEM certificate: serve HTTPS
	TLSKeyFile    string // optional PKCS#8 PEM key
	// TimeZone is the simulated JVM's default time zone (an IANA name such as
	// "Pacific/Kiritimati"), which decides Jenkins's "today" for token expiry. Default "UTC".
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
	// SystemProperties are set on the simulated JVM (-Dname=value), as an admin sets Jenkins's
	// own switches, for example hudson.model.User.allowNonExistentUserToLogin.
	SystemProperties map[string]string
	Log              io.Writer
}

// Sim is a running simulator.
type Sim struct {
	URL           string // Jenkins base URL including the context path, ends with "/"
	RootURL       string // server root, ends with "/", for /__sim/
	AdminUser     string
	AdminPassword string

	client      *simClient
	tlsCertFile string // the certificate and key it serves HTTPS with, for Proxy
	tlsKeyFile  string
	cmd         *exec.Cmd
	stdin       io.WriteCloser
	dir         string
	done        chan struct{}
	closeMu     sync.Mutex
	closed      bool
}

var readyLine = regexp.MustCompile(`^jenkins-sim ready port=(\d+)$`)

// Start writes the Groovy sources to a temporary directory, starts the JVM and returns once
// the simulator answers.
func Start(ctx context.Context, opts Options) (*Sim, error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.AdminUser == "" {
		opts.AdminUser = "admin"
	}
	if opts.AdminPassword == "" {
		opts.AdminPassword = "admin"
	}
	if opts.Version == "" {
		opts.Version = "2.579"
	}
	if opts.ContextPath != "" {
		opts.ContextPath = "/" + strings.Trim(opts.ContextPath, "/")
	}
	if opts.TimeZone == "" {
		opts.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(opts.TimeZone); err != nil {
		return nil, fmt.Errorf("jenkinssim: time zone %q: %w", opts.TimeZone, err)
	}
	if opts.IDStrategy == "" {
		opts.IDStrategy = "case-insensitive"
	}
	switch opts.IDStrategy {
	case "case-insensitive", "case-sensitive", "case-sensitive-email":
	default:
		return nil, fmt.Errorf("jenkinssim: id strategy %q: want case-insensitive, case-sensitive or case-sensitive-email", opts.IDStrategy)
	}
	if opts.RealmLookup == "" {
		opts.RealmLookup = "supported"
	}
	if opts.RealmLookup != "supported" && opts.RealmLookup != "unsupported" {
		return nil, fmt.Errorf("jenkinssim: realm lookup %q: want supported or unsupported", opts.RealmLookup)
	}
	if opts.RealmDirectory == "" {
		opts.RealmDirectory = "none"
	}
	if opts.RealmDirectory != "none" && opts.RealmDirectory != "ldap" && opts.RealmDirectory != "active-directory" {
		return nil, fmt.Errorf("jenkinssim: realm directory %q: want none, ldap or active-directory", opts.RealmDirectory)
	}
	if err := checkLatency(opts.RealmLatency, opts.SaveLatency); err != nil {
		return nil, err
	}
	if opts.RealmRespell == "" {
		opts.RealmRespell = "none"
	}
	if opts.RealmRespell != "none" && opts.RealmRespell != "lowercase" {
		return nil, fmt.Errorf("jenkinssim: realm respell %q: want none or lowercase", opts.RealmRespell)
	}
	if (opts.TLSCertFile == "") != (opts.TLSKeyFile == "") {
		return nil, errors.New("jenkinssim: TLSCertFile and TLSKeyFile go together")
	}
	host, _, err := net.SplitHostPort(opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("jenkinssim: listen address %q: %w", opts.Listen, err)
	}
	javaBin, err := findJava()
	if err != nil {
		return nil, err
	}
	groovyLib, err := findGroovyLib()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "jenkinssim-")
	if err != nil {
		return nil, fmt.Errorf("jenkinssim: %w", err)
	}
	srcDir := filepath.Join(dir, "src")
	if err := writeSources(srcDir, opts.Version); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	args := []string{
		// A small, quick-starting JVM: the simulator holds little state.
		"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss4m", "-Xshare:auto",
		"-Djava.awt.headless=true",
		// Jenkins's "today" (LocalDate.now() in HashedToken.isExpired) is the JVM's default zone.
		"-Duser.timezone=" + opts.TimeZone,
	}
	// Sorted, so that a run's command line does not depend on map order.
	props := make([]string, 0, len(opts.SystemProperties))
	for k := range opts.SystemProperties {
		if k == "" || strings.ContainsAny(k, "= ") {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("jenkinssim: system property name %q", k)
		}
		props = append(props, k)
	}
	sort.Strings(props)
	for _, k := range props {
		args = append(args, "-D"+k+"="+opts.SystemProperties[k])
	}
	args = append(args,
		"-cp", filepath.Join(groovyLib, "*"),
		"groovy.ui.GroovyMain",
		filepath.Join(srcDir, "boot", "Boot.groovy"), srcDir, filepath.Join(dir, "classes"),
		"--listen", opts.Listen, "--version", opts.Version, "--id-strategy", opts.IDStrategy, "--realm-lookup", opts.RealmLookup,
		"--realm-directory", opts.RealmDirectory,
		"--realm-latency-ms", latencyMS(opts.RealmLatency), "--save-latency-ms", latencyMS(opts.SaveLatency),
		"--realm-respell", opts.RealmRespell,
	)
	if opts.ContextPath != "" {
		args = append(args, "--context-path", opts.ContextPath)
	}
	if opts.TLSCertFile != "" {
		args = append(args, "--tls-cert", opts.TLSCertFile, "--tls-key", opts.TLSKeyFile)
	}
	cmd := exec.Command(javaBin, args...)
	// The admin password goes through the environment, not argv (argv is visible in ps).
	cmd.Env = append(os.Environ(), "JENKINS_SIM_ADMIN="+opts.AdminUser+":"+opts.AdminPassword)
	cmd.Dir = dir
	setDeathSignal(cmd)
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	cmd.Stderr = logw
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("jenkinssim: %w", err)
	}
	// The JVM exits when this pipe closes: no orphan if the Go process dies.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("jenkinssim: %w", err)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("jenkinssim: starting java: %w", err)
	}
	s := &Sim{
		AdminUser:     opts.AdminUser,
		AdminPassword: opts.AdminPassword,
		cmd:           cmd,
		stdin:         stdin,
		dir:           dir,
		done:          make(chan struct{}),
	}
	portCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if m := readyLine.FindStringSubmatch(line); m != nil && !sent {
				portCh <- m[1]
				sent = true
				continue
			}
			fmt.Fprintln(logw, line)
		}
		close(portCh)
	}()
	go func() {
		// The exit status says nothing Close does not already know: the JVM is gone.
		_ = cmd.Wait()
		close(s.done)
	}()
	var port string
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case p, ok := <-portCh:
		if !ok {
			s.Close()
			return nil, errors.New("jenkinssim: the JVM exited before it was ready (set Options.Log to see why)")
		}
		port = p
	case <-ctx.Done():
		s.Close()
		return nil, ctx.Err()
	case <-timer.C:
		s.Close()
		return nil, fmt.Errorf("jenkinssim: not ready after %s", startTimeout)
	}
	scheme := "http"
	if opts.TLSCertFile != "" {
		scheme = "https"
	}
	hostPort := net.JoinHostPort(host, port)
	s.RootURL = scheme + "://" + hostPort + "/"
	s.URL = scheme + "://" + hostPort + opts.ContextPath + "/"
	s.client = newSimClient(s, opts.TLSCertFile != "")
	s.tlsCertFile, s.tlsKeyFile = opts.TLSCertFile, opts.TLSKeyFile
	if err := s.WaitReady(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close ends the JVM and removes the temporary directory.
func (s *Sim) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.stdin.Close()
	select {
	case <-s.done:
	case <-time.After(3 * time.Second):
		_ = s.cmd.Process.Kill() // it may have exited meanwhile; done tells
		<-s.done
	}
	return os.RemoveAll(s.dir)
}

// Done is closed when the JVM has exited.
func (s *Sim) Done() <-chan struct{} { return s.done }

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
