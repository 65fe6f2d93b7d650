package httpapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// Secrets at rest: the database files (with the WAL) and the log hold no
// TOTP secret, no backup code and no name typed at login that is no user.
func TestAttackNoSecretAtRestInTheClear(t *testing.T) {
	logs := &lockedBuf{}
	env := testenv.New(t, testenv.Logger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	env.User(t, "amy", "Amy Example", "")
	ctx := context.Background()
	c := env.Login(t, "amy", "")
	en, err := c.EnrollTwoFactor(ctx, wire.ReauthRequest{Password: testenv.Password})
	if err != nil {
		t.Fatal(err)
	}
	if b := dbBytes(t, env.Dir); bytes.Contains(b, []byte(en.Secret)) {
		t.Error("the pending TOTP secret is stored in the clear")
	}
	conf, err := c.ConfirmTwoFactor(ctx, wire.ConfirmRequest{Code: env.Code(t, en.Secret, 0)})
	if err != nil || len(conf.BackupCodes) == 0 {
		t.Fatalf("confirm: %v %+v", err, conf)
	}
	typedName := "Tr0ub4dor-and-3-horses"
	if _, err := env.Client("").Login(ctx, wire.LoginRequest{Username: typedName, Password: "whatever-it-is"}); err == nil {
		t.Fatal("a login for no user worked")
	}
	// A backup code used at login, and a wrong one.
	if _, err := env.Client("").Login(ctx, wire.LoginRequest{Username: "amy", Password: testenv.Password, Code: conf.BackupCodes[0]}); err != nil {
		t.Fatal(err)
	}
	_, _ = env.Client("").Login(ctx, wire.LoginRequest{Username: "amy", Password: testenv.Password, Code: conf.BackupCodes[0]})

	stored := dbBytes(t, env.Dir)
	if !bytes.Contains(stored, []byte("Amy Example")) {
		t.Fatal("the database files read do not even hold the full name: the search proves nothing")
	}
	logText := logs.b.String()
	secrets := map[string]string{"TOTP secret": en.Secret, "typed name": strings.ToLower(typedName), "typed name as typed": typedName}
	for i, code := range conf.BackupCodes {
		secrets["backup code "+string(rune('0'+i))] = code
		secrets["backup code (plain) "+string(rune('0'+i))] = strings.ReplaceAll(code, "-", "")
	}
	for what, s := range secrets {
		if bytes.Contains(stored, []byte(s)) {
			t.Errorf("the database files hold the %s in the clear", what)
		}
		if strings.Contains(logText, s) {
			t.Errorf("the log holds the %s", what)
		}
	}
}

// dbBytes is every byte of the SQLite files in dir (the WAL too).
func dbBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var stored []byte
	files, _ := filepath.Glob(filepath.Join(dir, "latch.db*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, b...)
	}
	return stored
}
