#include "app/wheel_guard.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QEvent>

namespace attnsweep::gui {

namespace {

class WheelGuard : public QObject {
 public:
  using QObject::QObject;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() != QEvent::Wheel || static_cast<QWidget*>(watched)->hasFocus()) return false;
    event->ignore();  // ignored, so the wheel goes on to the scroll area around the form
    return true;
  }
};

}  // namespace

void take_wheel_only_when_focused(QWidget* root) {
  auto* guard = new WheelGuard(root);
  auto guard_widget = [guard](QWidget* w) {
    w->setFocusPolicy(Qt::StrongFocus);  // no focus from the wheel itself
    w->installEventFilter(guard);
  };
  for (QAbstractSpinBox* w : root->findChildren<QAbstractSpinBox*>()) guard_widget(w);
  for (QComboBox* w : root->findChildren<QComboBox*>()) guard_widget(w);
}

}  // namespace attnsweep::gui
