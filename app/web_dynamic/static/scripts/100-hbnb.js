/* Task 6: + Search also filters by the checked states and cities. */
'use strict';

HBNB.listChecked('.locations');
HBNB.listChecked('.amenities');
HBNB.showApiStatus();
HBNB.searchOnClick(HBNB.checkedFilters);
