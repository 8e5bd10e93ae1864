#pragma once
// The results table as a Qt model: translates core/table_rows into roles, nothing more.
// Sorting and filtering live in the core (failed cells stay after measured ones either way).
#include <QAbstractTableModel>

#include "app/results_document.h"
#include "core/table_rows.h"

namespace attnsweep::gui {

class ResultsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  static constexpr int kResultIndexRole = Qt::UserRole + 1;  // index into the document's results

  explicit ResultsModel(const ResultsDocument* doc, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
  void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

  void setFilter(const QString& text);
  // Row showing the document's result `index`, or -1 when filtered out.
  int rowOfResult(std::size_t index) const;
  std::size_t resultIndex(int row) const { return rows_.at(static_cast<std::size_t>(row)); }
  QString markdown(const std::vector<int>& rows) const;  // all rows when empty

 private:
  void rebuild();
  void onAppended(std::size_t first, std::size_t count);

  const ResultsDocument* doc_;
  std::vector<std::size_t> rows_;  // visible rows, as indices into doc_->results()
  std::string filter_;
  int sort_column_ = -1;
  Qt::SortOrder sort_order_ = Qt::AscendingOrder;
};

}  // namespace attnsweep::gui
