package client

import (
	"strings"

	"github.com/latch-dev/latch/client/wire"
)

// LevelRank orders access levels: VIEW 1 < UPLOAD 2 < CONTRIBUTE 3 <
// ADMINISTER 4; anything else is 0.
func LevelRank(level string) int {
	switch strings.ToUpper(level) {
	case wire.LevelView:
		return 1
	case wire.LevelUpload:
		return 2
	case wire.LevelContribute:
		return 3
	case wire.LevelAdminister:
		return 4
	}
	return 0
}
