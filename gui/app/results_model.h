#pragma once
// The results table as a Qt model: translates the engine's table columns (columns.h), the
// comparison with a baseline run (core/comparison.h) and core/table_rows into roles, nothing more. Sorting and filtering live in the core (failed cells
// stay after measured ones either way); the text of a cell is the one the reports print.
#include <QAbstractTableModel>

#include "app/results_document.h"
#include "core/table_rows.h"

namespace attnsweep::gui {

class ResultsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  static constexpr int kResultIndexRole = Qt::UserRole + 1;  // index into the document's results

  explicit ResultsModel(const ResultsDocument* doc, QObject* parent = nullptr);

  // The engine column a section shows, and the section showing a column (-1 when not shown).
  // With a baseline run, two sections follow the engine's columns: the ratio NEW/BASE and the verdict.
  static Column columnAt(int section);
  static int ratioSection() { return static_cast<int>(table_columns().size()); }
  static int verdictSection() { return ratioSection() + 1; }
  static int sectionOf(Column c);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
  void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

  // Keeps the rows the filter text matches (core/table_rows' RowFilter); a text that is not a
  // filter keeps every row, and filterError() says why.
  void setFilter(const QString& text);
  QString filterError() const { return QString::fromStdString(filter_.error); }
  // Row showing the document's result `index`, or -1 when filtered out.
  int rowOfResult(std::size_t index) const;
  // The Markdown table of these rows (all shown rows when empty), as the report writes one.
  QString markdown(const std::vector<int>& rows) const;

 private:
  void rebuild();
  // The comparison of the result a row shows, for the ratio and verdict sections.
  const CellComparison* comparisonOf(const CellResult& r) const;
  void onAppended(std::size_t first, std::size_t count);

  const ResultsDocument* doc_;
  std::vector<std::size_t> rows_;  // visible rows, as indices into doc_->results()
  RowFilter filter_;
  int sort_column_ = -1;
  Qt::SortOrder sort_order_ = Qt::AscendingOrder;
};

}  // namespace attnsweep::gui
