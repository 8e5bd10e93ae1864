#pragma once
// The engine's values that the adapters' signals carry, declared to Qt once for all of them.
#include <QMetaType>
#include <vector>

#include "attnsweep/engine/result.h"

Q_DECLARE_METATYPE(std::vector<attnsweep::CellResult>)
