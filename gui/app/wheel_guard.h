#pragma once
// Spin boxes and combo boxes take the mouse wheel only once focused (clicked or tabbed into): a
// wheel turned over one while scrolling a form scrolls the form and changes no value.
class QWidget;

namespace attnsweep::gui {

// Applies to every spin box and combo box under `root` (call once the form is built).
void take_wheel_only_when_focused(QWidget* root);

}  // namespace attnsweep::gui
