#include "app/wheel_guard.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace attnsweep::gui {
namespace {

// One notch of the wheel turned over the middle of `w`.
void wheel(QWidget* w) {
  const QPointF at(w->width() / 2.0, w->height() / 2.0);
  QWheelEvent e(at, w->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                false);
  QApplication::sendEvent(w, &e);
}

TEST(WheelGuard, OnlyAFocusedSpinOrComboBoxTakesTheWheel) {
  QWidget form;
  auto* layout = new QVBoxLayout(&form);
  auto* name = new QLineEdit(&form);  // where the focus is while the wheel scrolls the form
  layout->addWidget(name);
  auto* spin = new QSpinBox(&form);
  spin->setRange(1, 100);
  spin->setValue(10);
  auto* combo = new QComboBox(&form);
  combo->addItems({"cold", "warm", "other"});
  layout->addWidget(spin);
  layout->addWidget(combo);
  take_wheel_only_when_focused(&form);
  form.show();
  QApplication::setActiveWindow(&form);
  name->setFocus();
  ASSERT_FALSE(spin->hasFocus());

  wheel(spin);
  wheel(combo);
  EXPECT_EQ(spin->value(), 10) << "a wheel passing over the form changes nothing";
  EXPECT_EQ(combo->currentIndex(), 0);
  EXPECT_EQ(spin->focusPolicy(), Qt::StrongFocus);

  spin->setFocus();
  ASSERT_TRUE(spin->hasFocus());
  wheel(spin);
  EXPECT_EQ(spin->value(), 9) << "once clicked into, the wheel works as usual";
  combo->setFocus();
  wheel(combo);
  EXPECT_EQ(combo->currentIndex(), 1);
}

}  // namespace
}  // namespace attnsweep::gui
