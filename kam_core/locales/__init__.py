"""String tables per area: each module defines STRINGS = {key: (中文, English)}."""
