// sqlite3.h must come before spatialite.h: spatialite.h uses sqlite3 types without including it.
#include <sqlite3.h>
#include <spatialite.h>
