package client

import (
	"strings"
)

// LevelRank orders access levels: VIEW 1 < UPLOAD 2 < CONTRIBUTE 3 <
// ADMINISTER 4; anything else is 0.
func LevelRank(level string) int {
	l := strings.ToUpper(level)
	for i, known := range Levels {
		if l == known {
			return i + 1
		}
	}
	return 0
}
