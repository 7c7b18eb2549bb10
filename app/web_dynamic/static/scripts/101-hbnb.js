/* Task 7: + each place can show its reviews. */
'use strict';

HBNB.listChecked('.locations');
HBNB.listChecked('.amenities');
HBNB.showApiStatus();
HBNB.searchOnClick(HBNB.checkedFilters, HBNB.addReviews);
